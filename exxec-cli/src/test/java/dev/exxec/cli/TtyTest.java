package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TtyTest {

    @Test
    void terminalDevicesAreRecognised() {
        assertThat(Tty.isTerminalDevice("/dev/pts/3")).isTrue();
        assertThat(Tty.isTerminalDevice("/dev/tty1")).isTrue();
        assertThat(Tty.isTerminalDevice("/dev/console")).isTrue();
        assertThat(Tty.isTerminalDevice("pipe:[12345]")).isFalse();
        assertThat(Tty.isTerminalDevice("/dev/null")).isFalse();
        assertThat(Tty.isTerminalDevice("/home/u/out.txt")).isFalse();
        assertThat(Tty.isTerminalDevice("socket:[99]")).isFalse();
    }

    @Test
    void aDescriptorThatIsAPipeIsNoTerminal() {
        // surefire gives the test JVM pipes (or files), never a terminal
        assertThat(Tty.isTerminal(1)).isFalse();
        assertThat(Tty.isTerminal(987_654)).as("a closed descriptor").isFalse();
    }

    @Test
    void theOverrideNamesTheStreams() {
        assertThat(Tty.parse("stdout")).isEqualTo(new Tty(true, false));
        assertThat(Tty.parse(" stderr , stdout")).isEqualTo(Tty.BOTH);
        assertThat(Tty.parse("none")).isEqualTo(Tty.NONE);
        assertThat(Tty.parse("")).isEqualTo(Tty.NONE);
        assertThatThrownBy(() -> Tty.parse("stdin"))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("exxec.tty")
                .hasMessageContaining("stdin");
    }
}
