package dev.agentkernel.layer;

import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Parses PAX extended header records, {@code "<length> <keyword>=<value>\n"}, keeping values as raw bytes. */
final class PaxRecords {
    private PaxRecords() {
    }

    /**
     * The records in order (keys may repeat, as GNU sparse 0.0 needs), at most {@code maxRecords} of them;
     * {@code error} builds the exception.
     */
    static List<Map.Entry<String, byte[]>> parse(byte[] data, int maxRecords,
                                                 Function<String, RuntimeException> error) {
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        int pos = 0;
        while (pos < data.length) {
            if (data[pos] == 0) {
                break; // NUL padding after the last record
            }
            int space = pos;
            long length = 0;
            while (space < data.length && data[space] >= '0' && data[space] <= '9' && length < Integer.MAX_VALUE) {
                length = length * 10 + (data[space] - '0');
                space++;
            }
            if (space == pos || space >= data.length || data[space] != ' ' || length <= space - pos + 1
                    || pos + length > data.length || data[(int) (pos + length - 1)] != '\n') {
                throw error.apply("malformed PAX extended header record");
            }
            int end = (int) (pos + length - 1);
            int equals = space + 1;
            while (equals < end && data[equals] != '=') {
                equals++;
            }
            if (equals == end || equals == space + 1) {
                throw error.apply("malformed PAX extended header record (no keyword)");
            }
            String key = new String(data, space + 1, equals - space - 1, StandardCharsets.UTF_8);
            byte[] value = Arrays.copyOfRange(data, equals + 1, end);
            if (records.size() == maxRecords) {
                throw error.apply("more than " + maxRecords + " records in one PAX extended header");
            }
            records.add(new AbstractMap.SimpleImmutableEntry<>(key, value));
            pos = (int) (pos + length);
        }
        return records;
    }
}
