package dev.quotegate;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package structure of docs/architecture.md, checked on the compiled main classes: no
 * cycle between feature packages, arrows running one way (handlers -> services -> cache/fetch
 * -> provider -> platform, calendar beneath all), and the simulated exchange reaching the
 * gateway only over HTTP.
 */
class ArchitectureTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.quotegate");
  }

  @Test
  void packagesAreFreeOfCycles() {
    slices().matching("dev.quotegate.(*)..").should().beFreeOfCycles().check(classes);
  }

  @Test
  void calendarIsTheGroundFloor() {
    noClasses().that().resideInAPackage("dev.quotegate.calendar..")
        .should().dependOnClassesThat().resideInAnyPackage(featuresBut("calendar"))
        .check(classes);
  }

  @Test
  void platformDependsOnNoFeature() {
    noClasses().that().resideInAPackage("dev.quotegate.platform..")
        .should().dependOnClassesThat().resideInAnyPackage(featuresBut("platform", "calendar"))
        .check(classes);
  }

  @Test
  void providersDependOnlyOnCalendarAndPlatform() {
    noClasses().that().resideInAPackage("dev.quotegate.provider..")
        .should().dependOnClassesThat().resideInAnyPackage(featuresBut("provider", "calendar", "platform"))
        .check(classes);
  }

  @Test
  void cacheAndFetchKnowNothingOfTheFeaturesAboveThem() {
    noClasses().that().resideInAnyPackage("dev.quotegate.cache..", "dev.quotegate.fetch..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "dev.quotegate.quote..", "dev.quotegate.history..", "dev.quotegate.market..",
            "dev.quotegate.portfolio..", "dev.quotegate.stream..", "dev.quotegate.provider..")
        .check(classes);
  }

  @Test
  void simulatorReachesTheGatewayOnlyOverHttp() {
    noClasses().that().resideInAPackage("dev.quotegate.simulator..")
        .should().dependOnClassesThat().resideInAnyPackage(featuresBut("simulator", "calendar"))
        .check(classes);
  }

  @Test
  void nothingOfTheGatewayDependsOnTheSimulatorButItsWiring() {
    noClasses().that().resideOutsideOfPackage("dev.quotegate.simulator..")
        .and().doNotHaveFullyQualifiedName(QuotegateApplication.class.getName())
        .should().dependOnClassesThat().resideInAPackage("dev.quotegate.simulator..")
        .check(classes);
  }

  private static final String[] FEATURES = {
    "access", "cache", "calendar", "fetch", "history", "market", "platform", "portfolio",
    "provider", "quote", "simulator", "stream", "web"
  };

  private static String[] featuresBut(String... allowed) {
    java.util.Set<String> keep = java.util.Set.of(allowed);
    return java.util.Arrays.stream(FEATURES)
        .filter(f -> !keep.contains(f))
        .map(f -> "dev.quotegate." + f + "..")
        .toArray(String[]::new);
  }
}
