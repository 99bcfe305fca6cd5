package dev.agentkernel.layer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TarNumbersTest {
    @Test
    void octalFieldsMayBePaddedWithSpacesAndNuls() {
        byte[] field = " 0000755\0".getBytes(StandardCharsets.US_ASCII);
        assertThat(TarNumbers.parse(field, 0, field.length)).isEqualTo(0755);
        assertThat(TarNumbers.parse(new byte[8], 0, 8)).isZero();
    }

    @Test
    void base256FieldsArePositiveOrNegative() {
        byte[] positive = HexFormat.of().parseHex("800000000000000100000000");
        assertThat(TarNumbers.parse(positive, 0, 12)).isEqualTo(1L << 32);
        byte[] minusOne = HexFormat.of().parseHex("ffffffffffffffffffffffff");
        assertThat(TarNumbers.parse(minusOne, 0, 12)).isEqualTo(-1);
        byte[] tooBig = HexFormat.of().parseHex("80ff00000000000000000000");
        assertThatThrownBy(() -> TarNumbers.parse(tooBig, 0, 12)).isInstanceOf(NumberFormatException.class);
    }

    @Test
    void garbageIsNoNumber() {
        byte[] field = "12x4".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> TarNumbers.parse(field, 0, 4)).isInstanceOf(NumberFormatException.class);
    }

    @Test
    void paxTimesKeepNanosecondsAndGoBeforeTheEpoch() {
        assertThat(TarNumbers.paxTime("1700000000.123456789")).isEqualTo(Instant.ofEpochSecond(1700000000, 123456789));
        assertThat(TarNumbers.paxTime("-1.5")).isEqualTo(Instant.ofEpochSecond(-2, 500_000_000));
        assertThat(TarNumbers.paxTime("42")).isEqualTo(Instant.ofEpochSecond(42));
    }

    @Test
    void paxRecordsKeepBinaryValuesAndRepeatedKeys() {
        byte[] data = "10 a=\u0001\u00ff\u0000x\n6 a=b\n".getBytes(StandardCharsets.ISO_8859_1);
        var records = PaxRecords.parse(data, 10, IllegalStateException::new);
        assertThat(records).hasSize(2);
        assertThat(records.get(0).getValue()).containsExactly(1, 0xff, 0, 'x');
        assertThat(records.get(1).getValue()).containsExactly('b');
        assertThatThrownBy(() -> PaxRecords.parse("99 a=b\n".getBytes(StandardCharsets.US_ASCII), 10,
                IllegalStateException::new)).isInstanceOf(IllegalStateException.class);
    }
}
