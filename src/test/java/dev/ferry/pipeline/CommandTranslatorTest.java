package dev.ferry.pipeline;

import dev.ferry.resp.ServerInfo;
import dev.ferry.sink.TargetProfile;
import org.junit.jupiter.api.Test;

import static dev.ferry.pipeline.ReplayerTest.argv;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandTranslatorTest {

    private static CommandTranslator forTarget(String version) {
        return new CommandTranslator(new TargetProfile(ServerInfo.Version.parse(version, false), 512L << 20));
    }

    @Test
    void aNewTargetGetsEveryCommandAsIs() {
        byte[][] set = argv("SET", "k", "v", "PXAT", "123");
        assertThat(forTarget("7.0.15").translate("set", set)).isSameAs(set);
    }

    @Test
    void setWithKeepTtlOrAbsoluteExpiryBecomesAScriptOnOldTargets() {
        byte[][] keep = forTarget("2.8.19").translate("set", argv("SET", "k", "1.5", "KEEPTTL"));
        assertThat(RecordingSink.render(keep)).startsWith("EVAL ").endsWith(" 1 k 1.5  KEEPTTL 0");
        byte[][] pxat = forTarget("6.0.5").translate("set", argv("SET", "k", "v", "PXAT", "4102444800000"));
        assertThat(RecordingSink.render(pxat)).endsWith(" 1 k v  PXAT 4102444800000");
        byte[][] exatNx = forTarget("6.0.5").translate("set", argv("SET", "k", "v", "NX", "EXAT", "10"));
        assertThat(RecordingSink.render(exatNx)).endsWith(" 1 k v NX PXAT 10000");
    }

    @Test
    void setOptionsTheTargetKnowsAreLeftAlone() {
        byte[][] keep = argv("SET", "k", "v", "KEEPTTL");
        assertThat(forTarget("6.0.5").translate("set", keep)).isSameAs(keep);
        byte[][] px = argv("SET", "k", "v", "PX", "100");
        assertThat(forTarget("2.8.19").translate("set", px)).isSameAs(px);
    }

    @Test
    void lmoveBecomesRpoplpushOrAScript() {
        assertThat(RecordingSink.render(forTarget("6.0.5").translate("lmove", argv("LMOVE", "a", "b", "right", "left"))))
                .isEqualTo("RPOPLPUSH a b");
        assertThat(RecordingSink.render(forTarget("6.0.5").translate("lmove", argv("LMOVE", "a", "b", "LEFT", "RIGHT"))))
                .startsWith("EVAL ").endsWith(" 2 a b LEFT RIGHT");
    }

    @Test
    void unlinkAndMultiFieldHsetBecomeTheirOldForms() {
        assertThat(RecordingSink.render(forTarget("3.2.0").translate("unlink", argv("UNLINK", "a", "b")))).isEqualTo("DEL a b");
        assertThat(RecordingSink.render(forTarget("2.8.19").translate("hset", argv("HSET", "h", "f1", "v1", "f2", "v2"))))
                .isEqualTo("HMSET h f1 v1 f2 v2");
        byte[][] single = argv("HSET", "h", "f", "v");
        assertThat(forTarget("2.8.19").translate("hset", single)).isSameAs(single);
    }

    @Test
    void aCommandWithNoEquivalentIsAClearError() {
        assertThatThrownBy(() -> forTarget("6.0.5").translate("copy", argv("COPY", "a", "b")))
                .hasMessageContaining("COPY").hasMessageContaining("6.2");
    }

    @Test
    void hsetexBecomesHsetOrAScriptForTargetsWithoutItAndAFieldTtlForOneWithoutFieldTtlsIsRefused() {
        CommandTranslator old = forTarget("7.0.15");
        assertThat(old.mayTranslate("HSETEX".getBytes())).isTrue();
        assertThat(forTarget("7.4.2").mayTranslate("HSET".getBytes())).as("only HSETEX on a 7.4 target").isFalse();
        assertThat(forTarget("8.0.6").mayTranslate("HSETEX".getBytes())).isFalse();

        assertThat(RecordingSink.render(old.translate("hsetex", argv("HSETEX", "h", "KEEPTTL", "FIELDS", "2", "a", "1", "b", "2"))))
                .isEqualTo("HSET h a 1 b 2");
        assertThat(RecordingSink.render(old.translate("hsetex", argv("HSETEX", "h", "FIELDS", "1", "a", "1"))))
                .isEqualTo("HSET h a 1");
        assertThat(RecordingSink.render(old.translate("hsetex", argv("HSETEX", "h", "FNX", "FIELDS", "1", "a", "1"))))
                .startsWith("EVAL ").endsWith(" 1 h FNX  0 a 1");
        assertThatThrownBy(() -> old.translate("hsetex", argv("HSETEX", "h", "PXAT", "4102444800000", "FIELDS", "1", "a", "1")))
                .hasMessageContaining("needs Redis 7.4+");
        assertThatThrownBy(() -> old.translate("hsetex", argv("HSETEX", "h", "FIELDS", "2", "a", "1")))
                .hasMessageContaining("malformed HSETEX");
    }

    @Test
    void anXclaimFromA70SourceBecomesAScriptThatDropsDeletedMessagesForA6Target() {
        byte[][] claim = argv("XCLAIM", "s", "g", "bob", "0", "2-1", "3-1", "TIME", "5", "RETRYCOUNT", "1", "FORCE", "JUSTID");
        CommandTranslator from62 = forTarget("6.2.7");
        assertThat(from62.translate("xclaim", claim)).as("from a source of unknown version: as it is").isSameAs(claim);

        from62.sourceVersion(ServerInfo.Version.parse("7.0.15", false));
        assertThat(RecordingSink.render(from62.translate("xclaim", claim)))
                .startsWith("EVAL ").endsWith(" 1 s g bob 0 2 2-1 3-1 TIME 5 RETRYCOUNT 1 FORCE JUSTID");

        CommandTranslator to70 = forTarget("7.0.15");
        to70.sourceVersion(ServerInfo.Version.parse("7.2.4", false));
        assertThat(to70.mayTranslate("XCLAIM".getBytes())).isFalse();
    }

    @Test
    void hashFieldTtlCommandsForATargetWithoutFieldTtlsAreDroppedWhenMootOrRefusedSayingWhy() {
        CommandTranslator to70 = forTarget("7.0.15");
        assertThat(to70.mayTranslate("HPERSIST".getBytes())).isTrue();
        assertThat(to70.translate("hpersist", argv("HPERSIST", "h", "FIELDS", "1", "a"))).isNull();
        assertThatThrownBy(() -> to70.translate("hpexpireat", argv("HPEXPIREAT", "h", "4102444800000", "FIELDS", "1", "a")))
                .hasMessageContaining("HPEXPIREAT").hasMessageContaining("needs Redis 7.4+");
        byte[][] persist = argv("HPERSIST", "h", "FIELDS", "1", "a");
        assertThat(forTarget("7.4.2").translate("hpersist", persist)).isSameAs(persist);
        assertThat(forTarget("7.4.2").mayTranslate("HPERSIST".getBytes())).isFalse();
    }
}
