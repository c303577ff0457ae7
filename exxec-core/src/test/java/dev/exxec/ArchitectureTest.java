package dev.exxec;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Keeps the layering of exxec-core honest. */
class ArchitectureTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.exxec");

    @Test
    void coreUsesOnlyTheJdkSlf4jJacksonAndJSpecify() {
        classes()
                .that()
                .resideInAPackage("dev.exxec..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "dev.exxec..", "org.slf4j..", "tools.jackson..", "org.jspecify..")
                .check(CORE);
    }

    @Test
    void thePublicApiDoesNotHandOutInternalTypes() {
        methods()
                .that()
                .arePublic()
                .and()
                .areDeclaredInClassesThat()
                .resideInAnyPackage("dev.exxec", "dev.exxec.spi")
                .should()
                .notHaveRawReturnType(DescribedPredicate.describe(
                        "an internal type", (JavaClass c) -> c.getPackageName().contains(".internal")))
                .check(CORE);
    }

    @Test
    void theInternalsDoNotDependOnProviders() {
        noClasses()
                .that()
                .resideInAPackage("dev.exxec.internal..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.exxec.local..", "dev.exxec.cli..")
                .check(CORE);
    }
}
