package dev.quotegate;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The Quotegate market-data gateway. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class QuotegateApplication {

  public static void main(String[] args) {
    SpringApplication.run(QuotegateApplication.class, args);
  }
}
