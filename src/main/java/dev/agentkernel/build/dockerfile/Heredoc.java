package dev.agentkernel.build.dockerfile;

/**
 * A here-document attached to a RUN, COPY or ADD instruction ({@code <<EOF}, {@code <<-EOF}, {@code 3<<"EOF"}).
 *
 * @param name       the delimiter word, quotes removed
 * @param descriptor the file descriptor written before {@code <<} (0 when none)
 * @param expand     false when any part of the delimiter was quoted: then the builder does not expand
 *                   variables in the body
 * @param chomp      {@code <<-}: leading tabs are removed from the body's lines (and the delimiter line)
 * @param body       the lines between the instruction and the delimiter, each with its line ending
 */
public record Heredoc(String name, int descriptor, boolean expand, boolean chomp, String body) {
    /** The body as the instruction sees it: with {@link #chomp}, leading tabs stripped from every line. */
    public String content() {
        return chomp ? body.replaceAll("(?m)^\t+", "") : body;
    }
}
