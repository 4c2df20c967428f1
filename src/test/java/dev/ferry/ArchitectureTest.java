package dev.ferry;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The packages are the architecture (STYLE.md): each is one stage of the data flow, dependencies go one
 * way, and libraries of the command line stay in it.
 */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.ferry");
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("dev.ferry.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void theWireAndFormatLayersKnowNothingAboveThem() {
        noClasses().that().resideInAnyPackage("dev.ferry.resp..", "dev.ferry.rdb..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.ferry.source..", "dev.ferry.pipeline..",
                        "dev.ferry.sink..", "dev.ferry.checkpoint..", "dev.ferry.task..", "dev.ferry.cli..",
                        "dev.ferry.verify..", "dev.ferry.precheck..", "dev.ferry.cluster..")
                .check(classes);
    }

    @Test
    void onlyTheCommandLineUsesPicocli() {
        noClasses().that().resideOutsideOfPackage("dev.ferry.cli..")
                .should().dependOnClassesThat().resideInAPackage("picocli..").check(classes);
    }

    @Test
    void onlyTheMetricsPackageUsesThePrometheusClient() {
        noClasses().that().resideOutsideOfPackage("dev.ferry.metrics..")
                .should().dependOnClassesThat().resideInAPackage("io.prometheus..").check(classes);
    }

    @Test
    void nothingButTheCommandLineDependsOnIt() {
        noClasses().that().resideOutsideOfPackage("dev.ferry.cli..")
                .should().dependOnClassesThat().resideInAPackage("dev.ferry.cli..").check(classes);
    }
}
