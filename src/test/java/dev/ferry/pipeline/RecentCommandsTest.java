package dev.ferry.pipeline;

import dev.ferry.resp.ServerInfo;
import dev.ferry.sink.TargetProfile;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static dev.ferry.pipeline.ReplayerTest.argv;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The decision for each write command of Redis 8.2-8.8 and Valkey 8.1-9.2, by target version. */
class RecentCommandsTest {

    private static CommandTranslator to(String version) {
        boolean valkey = version.startsWith("valkey-");
        ServerInfo.Version v = ServerInfo.Version.parse(valkey ? version.substring(7) : version, valkey);
        return new CommandTranslator(new TargetProfile(v, 512L << 20));
    }

    /** The command sent, or "nothing"; an EVAL shown as "EVAL <script> " and its arguments after the script. */
    private static String sent(String target, String... command) {
        CommandTranslator t = to(target);
        byte[][] argv = argv(command);
        byte[][] out = t.mayTranslate(argv[0]) ? t.translate(command[0].toLowerCase(java.util.Locale.ROOT), argv) : argv;
        if (out == null) {
            return "nothing";
        }
        if (new String(out[0]).equals("EVAL")) {
            return "EVAL <script> " + RecordingSink.render(Arrays.copyOfRange(out, 2, out.length));
        }
        return RecordingSink.render(out);
    }

    @Test
    void setConditionsAreDroppedForATargetWithoutThemAndKeptForOneWithThem() {
        assertThat(sent("7.0.15", "SET", "k", "w", "IFEQ", "v")).isEqualTo("SET k w");
        assertThat(sent("7.0.15", "SET", "k", "q", "IFEQ", "z", "KEEPTTL")).isEqualTo("SET k q KEEPTTL");
        assertThat(sent("6.0.5", "SET", "k", "q", "ifne", "z", "PXAT", "4102444800000"))
                .isEqualTo("EVAL <script> 1 k q  PXAT 4102444800000");
        assertThat(sent("valkey-8.1.1", "SET", "k", "w", "IFEQ", "v")).isEqualTo("SET k w IFEQ v");
        assertThat(sent("valkey-9.1.2", "SET", "k", "w", "IFDEQ", "1234abcd")).isEqualTo("SET k w");
        assertThat(sent("8.4.0", "SET", "k", "w", "IFDNE", "1234abcd")).isEqualTo("SET k w IFDNE 1234abcd");
        assertThat(sent("valkey-8.0.2", "SET", "k", "v")).isEqualTo("SET k v");
    }

    @Test
    void conditionalDeletesBecomeDelUnlessTheTargetHasThem() {
        assertThat(sent("7.0.15", "DELEX", "k", "IFEQ", "v")).isEqualTo("DEL k");
        assertThat(sent("valkey-9.1.2", "DELEX", "k", "IFDEQ", "abc")).isEqualTo("DEL k");
        assertThat(sent("8.4.0", "DELEX", "k", "IFEQ", "v")).isEqualTo("DELEX k IFEQ v");
        assertThat(sent("8.0.6", "DELIFEQ", "k", "v")).isEqualTo("DEL k");
        assertThat(sent("valkey-9.1.2", "DELIFEQ", "k", "v")).isEqualTo("DELIFEQ k v");
    }

    @Test
    void msetexBecomesMsetOrAScriptWithTheExpiry() {
        assertThat(sent("7.0.15", "MSETEX", "2", "a", "1", "b", "2", "NX")).isEqualTo("MSET a 1 b 2");
        assertThat(sent("7.0.15", "MSETEX", "2", "a", "1", "b", "2", "XX", "PXAT", "4102444800000"))
                .isEqualTo("EVAL <script> 2 a b PXAT 4102444800000 1 2");
        assertThat(sent("2.8.19", "MSETEX", "1", "a", "1", "EX", "100")).isEqualTo("EVAL <script> 1 a PX 100000 1");
        assertThat(sent("6.2.7", "MSETEX", "1", "a", "1", "KEEPTTL")).isEqualTo("EVAL <script> 1 a KEEPTTL 0 1");
        assertThat(sent("8.4.0", "MSETEX", "1", "a", "1", "EX", "100")).isEqualTo("MSETEX 1 a 1 EX 100");
        assertThatThrownBy(() -> sent("7.0.15", "MSETEX", "3", "a", "1")).hasMessageContaining("malformed MSETEX");
    }

    @Test
    void hgetdelAsValkey9ReplicatesItBecomesHdel() {
        assertThat(sent("7.0.15", "HGETDEL", "h", "FIELDS", "2", "a", "zz")).isEqualTo("HDEL h a zz");
        assertThat(sent("7.4.2", "HGETDEL", "h", "FIELDS", "1", "a")).isEqualTo("HDEL h a");
        assertThat(sent("8.0.6", "HGETDEL", "h", "FIELDS", "1", "a")).isEqualTo("HGETDEL h FIELDS 1 a");
        assertThatThrownBy(() -> sent("7.0.15", "HGETDEL", "h", "FIELDS", "3", "a")).hasMessageContaining("malformed");
    }

    @Test
    void hsetexReachesAValkey9TargetAsItIs() {
        assertThat(sent("valkey-9.1.2", "HSETEX", "h", "PXAT", "4102444800000", "FIELDS", "1", "a", "1"))
                .isEqualTo("HSETEX h PXAT 4102444800000 FIELDS 1 a 1");
        assertThat(sent("valkey-8.1.1", "HSETEX", "h", "KEEPTTL", "FIELDS", "1", "a", "1")).isEqualTo("HSET h a 1");
    }

    @Test
    void xackdelAndXdelexBecomeXdelOrAScriptOfTheGroupsBefore82() {
        assertThat(sent("7.0.15", "XACKDEL", "s", "g", "IDS", "2", "1-1", "2-1")).isEqualTo("EVAL <script> 1 s g KEEPREF 1-1 2-1");
        assertThat(sent("6.2.7", "XACKDEL", "s", "g", "ACKED", "IDS", "1", "1-1")).isEqualTo("EVAL <script> 1 s g ACKED 1-1");
        assertThat(sent("7.0.15", "XDELEX", "s", "IDS", "2", "1-1", "2-1")).isEqualTo("XDEL s 1-1 2-1");
        assertThat(sent("7.0.15", "XDELEX", "s", "IDS", "1", "1-1", "DELREF")).isEqualTo("EVAL <script> 1 s  DELREF 1-1");
        assertThat(sent("8.2.1", "XDELEX", "s", "ACKED", "IDS", "1", "1-1")).isEqualTo("XDELEX s ACKED IDS 1 1-1");
        assertThat(sent("valkey-9.1.2", "XDELEX", "s", "ACKED", "IDS", "1", "1-1")).isEqualTo("EVAL <script> 1 s  ACKED 1-1");
        assertThatThrownBy(() -> sent("7.0.15", "XACKDEL", "s", "g", "IDS", "3", "1-1")).hasMessageContaining("malformed XACKDEL");
    }

    @Test
    void xaddAndXtrimLoseKeeprefAndIdmpAndADelrefTrimBecomesAScriptAndAnAckedTrimIsRefused() {
        assertThat(sent("7.0.15", "XADD", "s", "KEEPREF", "MAXLEN", "=", "5", "3-1", "f", "v"))
                .isEqualTo("XADD s MAXLEN = 5 3-1 f v");
        assertThat(sent("7.0.15", "XADD", "s", "IDMP", "p1", "i1", "3-1", "f", "v")).isEqualTo("XADD s 3-1 f v");
        assertThat(sent("7.0.15", "XADD", "s", "NOMKSTREAM", "IDMPAUTO", "p1", "3-1", "f", "v"))
                .isEqualTo("XADD s NOMKSTREAM 3-1 f v");
        assertThat(sent("7.0.15", "XADD", "s", "NOMKSTREAM", "DELREF", "MAXLEN", "=", "2", "3-1", "f", "v"))
                .isEqualTo("EVAL <script> 1 s MAXLEN 2 NOMKSTREAM 3-1 f v");
        assertThat(sent("7.0.15", "XTRIM", "s", "MINID", "=", "3", "DELREF")).isEqualTo("EVAL <script> 1 s MINID 3-0");
        assertThat(sent("7.0.15", "XTRIM", "s", "MAXLEN", "2")).isEqualTo("XTRIM s MAXLEN 2");
        assertThat(sent("8.2.1", "XTRIM", "s", "MAXLEN", "2", "ACKED")).isEqualTo("XTRIM s MAXLEN 2 ACKED");
        assertThat(sent("8.2.1", "XADD", "s", "IDMP", "p", "i", "3-1", "f", "v")).isEqualTo("XADD s 3-1 f v");
        assertThat(sent("8.6.0", "XADD", "s", "IDMP", "p", "i", "3-1", "f", "v")).isEqualTo("XADD s IDMP p i 3-1 f v");
        assertThatThrownBy(() -> sent("7.0.15", "XTRIM", "stream-key", "MAXLEN", "2", "ACKED"))
                .hasMessageContaining("XTRIM").hasMessageContaining("stream-key").hasMessageContaining("8.2");
    }

    @Test
    void idempotencySettingsOfAStreamAreLeftOutBefore86() {
        assertThat(sent("7.0.15", "XCFGSET", "s", "IDMP-DURATION", "100")).isEqualTo("nothing");
        assertThat(sent("8.4.0", "XIDMPRECORD", "s", "p", "i", "1-1")).isEqualTo("nothing");
        assertThat(sent("8.6.0", "XCFGSET", "s", "IDMP-MAXSIZE", "10")).isEqualTo("XCFGSET s IDMP-MAXSIZE 10");
    }

    @Test
    void theNewBitopOperationsBecomeAScriptAndTheOldOnesStay() {
        assertThat(sent("7.0.15", "BITOP", "DIFF", "d", "x", "y")).isEqualTo("EVAL <script> 3 d x y DIFF");
        assertThat(sent("valkey-9.1.2", "BITOP", "one", "d", "x", "y", "z")).isEqualTo("EVAL <script> 4 d x y z ONE");
        assertThat(sent("7.0.15", "BITOP", "AND", "d", "x", "y")).isEqualTo("BITOP AND d x y");
        assertThat(sent("8.2.1", "BITOP", "ANDOR", "d", "x", "y")).isEqualTo("BITOP ANDOR d x y");
    }

    @Test
    void aTargetOfRedis86TakesEveryCommandAsItIsAndA7TargetLooksOnlyAtTheFewNewNames() {
        assertThat(to("8.6.0").isIdentity()).isTrue();
        assertThat(to("valkey-9.1.2").isIdentity()).isFalse();
        CommandTranslator to70 = to("7.0.15");
        assertThat(to70.mayTranslate("get".getBytes())).isFalse();
        assertThat(to70.mayTranslate("HSET".getBytes())).isFalse();
        assertThat(to70.mayTranslate("xackdel".getBytes())).isTrue();
        assertThat(to("8.2.1").mayTranslate("XACKDEL".getBytes())).isFalse();
        assertThat(to("8.2.1").mayTranslate("MSETEX".getBytes())).isTrue();
    }
}
