package dev.agentkernel.store;

import dev.agentkernel.errors.UserInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageNameTest {
    @ParameterizedTest
    @ValueSource(strings = {"demo", "my-tools", "py3.12", "a_b", "a__b", "a--b", "0", "x.y-z_9"})
    void acceptsEngineCompatibleNames(String name) {
        ImageName parsed = ImageName.parse(name);
        assertThat(parsed.value()).isEqualTo(name);
        assertThat(parsed.engineReference()).isEqualTo("agentkernel-" + name);
    }

    @Test
    void emptyDotsAndLengthHaveTheirOwnMessages() {
        assertThatThrownBy(() -> ImageName.parse("")).hasMessage("image name must not be empty");
        assertThatThrownBy(() -> ImageName.parse(".")).hasMessage("image name must not be '.'");
        assertThatThrownBy(() -> ImageName.parse("..")).hasMessage("image name must not be '..'");
        assertThat(ImageName.parse("a".repeat(128)).value()).hasSize(128);
        assertThatThrownBy(() -> ImageName.parse("a".repeat(129)))
                .isInstanceOf(UserInputException.class).hasMessageContaining("129").hasMessageContaining("128");
    }

    @Test
    void upperCaseIsExplainedWithTheLowerCaseName() {
        assertThatThrownBy(() -> ImageName.parse("My-Tools"))
                .isInstanceOf(UserInputException.class)
                .hasMessageContaining("lower-case").hasMessageContaining("'my-tools'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/b", "a:b", "a b", "é", "a@b", "a\nb"})
    void otherCharactersAreRejected(String name) {
        assertThatThrownBy(() -> ImageName.parse(name))
                .isInstanceOf(UserInputException.class)
                .hasMessageContaining("use only letters, digits, '-', '_' and '.'");
    }

    @ParameterizedTest
    @ValueSource(strings = {".hidden", "-x", "x-", "x.", "a..b", "a._b", "a___b", "_a"})
    void separatorsMustSitBetweenLettersOrDigits(String name) {
        assertThatThrownBy(() -> ImageName.parse(name))
                .isInstanceOf(UserInputException.class)
                .hasMessageContaining("must start and end with a letter or digit");
    }

    @Test
    void exitCodeIsTwo() {
        assertThatThrownBy(() -> ImageName.parse("A"))
                .isInstanceOfSatisfying(UserInputException.class, e -> assertThat(e.exitCode()).isEqualTo(2));
    }
}
