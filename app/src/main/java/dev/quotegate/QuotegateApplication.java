package dev.quotegate;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The Quotegate market-data gateway. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class QuotegateApplication {

  public static void main(String[] args) {
    // Netty's buffer leak detector samples about one buffer in a hundred and records a stack
    // trace for it: measurable on the hot path (docs/benchmarks.md). Off in the running
    // gateway unless asked for (-Dio.netty.leakDetection.level=simple); the tests keep it on.
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      System.setProperty("io.netty.leakDetection.level", "disabled");
    }
    SpringApplication.run(QuotegateApplication.class, args);
  }
}
