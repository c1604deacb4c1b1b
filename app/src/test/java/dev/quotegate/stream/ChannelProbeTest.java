package dev.quotegate.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import org.junit.jupiter.api.Test;

/** What a stream does to its connection's channel when it starts. */
class ChannelProbeTest {

  @Test
  void anHttp11StreamSetsItsWaterMarksAndLetsGoOfTheH2cUpgradeHandler() {
    HttpServerCodec codec = new HttpServerCodec();
    EmbeddedChannel channel = new EmbeddedChannel(codec,
        new HttpServerUpgradeHandler(codec, protocol -> null));
    ChannelProbe probe = new ChannelProbe(channel);
    assertThat(probe.upgradable()).isTrue();

    probe.bound(0, 8 * 1024, 32 * 1024);

    assertThat(probe.upgradable()).as("the HTTP/2 codec kept for an upgrade is let go").isFalse();
    assertThat(channel.pipeline().get(HttpServerCodec.class)).as("HTTP/1.1 goes on").isNotNull();
    assertThat(channel.config().getWriteBufferWaterMark().high()).isEqualTo(32 * 1024);
    assertThat(channel.config().getWriteBufferWaterMark().low()).isEqualTo(8 * 1024);

    probe.bound(0, 8 * 1024, 32 * 1024); // a second call finds nothing to remove
    assertThat(channel.isOpen()).isTrue();
    channel.finishAndReleaseAll();
  }

  @Test
  void outsideNettyNothingHappens() {
    ChannelProbe.NONE.bound(64 * 1024, 1, 2);
    assertThat(ChannelProbe.NONE.upgradable()).isFalse();
    assertThat(ChannelProbe.NONE.isWritable()).isTrue();
    assertThat(ChannelProbe.NONE.sendBuffer()).isNull();
  }
}
