package dev.ferry.pipeline;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class PeerMarksTest {

    private static final String PEER = "0a1b2c3d4e5f";
    private final PeerMarks marks = new PeerMarks(PEER);

    @Test
    void theCheckpointOfThePeerOrOfItsMasterTasksIsAMarkOnAStandaloneAndOnAClusterTarget() {
        String member = PeerMarks.memberId(PEER, "cluster slots 0-5460");

        assertThat(taskOf("__ferry:cp:" + PEER)).isEqualTo(PEER);
        assertThat(taskOf("__ferry:cp:{" + PEER + "}")).isEqualTo(PEER);
        assertThat(taskOf("__ferry:cp:{1234}:" + PEER)).isEqualTo(PEER);
        assertThat(taskOf("__ferry:cp:" + member)).isEqualTo(member);
        assertThat(taskOf("__ferry:cp:{" + member + "}")).isEqualTo(member);
        assertThat(taskOf("__ferry:cp:{0}:" + member)).isEqualTo(member);
    }

    @Test
    void memberIdsAreThePairsIdADotAndEightHexDigitsStableAndDistinctPerName() {
        String a = PeerMarks.memberId(PEER, "cluster slots 0-5460");

        assertThat(a).matches(PEER + "\\.[0-9a-f]{8}");
        assertThat(PeerMarks.memberId(PEER, "cluster slots 0-5460")).isEqualTo(a);
        assertThat(PeerMarks.memberId(PEER, "cluster slots 5461-10922")).isNotEqualTo(a);
    }

    @Test
    void keysThatOnlyLookLikeThePeersCheckpointAreNotMarks() {
        // Other tasks writing into the same server (a cascade), and near misses of every form.
        assertThat(taskOf("__ferry:cp:ffffffffffff")).isNull();
        assertThat(taskOf("__ferry:cp:{1234}:ffffffffffff." + "0".repeat(8))).isNull();
        assertThat(taskOf("__ferry:cp:" + PEER + "0")).as("a longer id").isNull();
        assertThat(taskOf("__ferry:cp:" + PEER.substring(1))).as("a shorter id").isNull();
        assertThat(taskOf("__ferry:cp:" + PEER + ".0000000")).as("seven digits").isNull();
        assertThat(taskOf("__ferry:cp:" + PEER + ".000000000")).as("nine digits").isNull();
        assertThat(taskOf("__ferry:cp:" + PEER + ".0000000G")).as("not hex").isNull();
        assertThat(taskOf("__ferry:cp:" + PEER + "-00000000")).as("no dot").isNull();
        assertThat(taskOf("__ferry:cp:{" + PEER + "}x")).as("after the braces").isNull();
        assertThat(taskOf("__ferry:cp:{x1}:" + PEER)).as("a tag that is no slot tag").isNull();
        assertThat(taskOf("__ferry:cp:{}:" + PEER)).as("an empty tag").isNull();
        assertThat(taskOf("__ferry:cp:{" + PEER)).as("unclosed").isNull();
        assertThat(taskOf("__ferry:lease:" + PEER)).as("the lease").isNull();
        assertThat(taskOf("__ferry:hb:" + PEER)).as("the heartbeat").isNull();
        assertThat(taskOf("user:" + PEER)).isNull();
        assertThat(taskOf("__ferry:cp:")).isNull();
    }

    private String taskOf(String key) {
        return marks.taskOf(bytes(key));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
