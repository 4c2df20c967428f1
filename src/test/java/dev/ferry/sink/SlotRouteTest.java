package dev.ferry.sink;

import dev.ferry.FerryException;
import dev.ferry.checkpoint.ControlKeys;
import dev.ferry.cluster.SlotHash;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where each command Ferry sends goes on a cluster target. */
class SlotRouteTest {

    @Test
    void aSingleKeyWriteGoesToTheSlotOfItsKey() {
        assertThat(SlotRoute.of(argv("RESTORE", "user:1", "0", "payload"))).isEqualTo(slot("user:1"));
        assertThat(SlotRoute.of(argv("rpush", "{tag}list", "a", "b"))).isEqualTo(slot("tag"));
        assertThat(SlotRoute.of(argv("PEXPIREAT", "k", "4102444800000"))).isEqualTo(slot("k"));
    }

    @Test
    void aScriptIsRoutedByTheKeysItDeclaresNotByItsBody() {
        assertThat(SlotRoute.of(argv("EVAL", "return 1", "2", "{t}a", "{t}b", "arg"))).isEqualTo(slot("t"));
        assertThatThrownBy(() -> SlotRoute.of(argv("EVAL", "return 1", "2", "a", "b")))
                .isInstanceOf(FerryException.class).hasMessageContaining("in slots");
    }

    @Test
    void aStreamGroupIsRoutedByItsStreamKeyAfterTheSubcommand() {
        assertThat(SlotRoute.of(argv("XGROUP", "CREATE", "stream", "g", "0"))).isEqualTo(slot("stream"));
    }

    @Test
    void theCheckpointAndTheLeaseGuardOfOneTaskShareOneSlot() {
        ControlKeys keys = ControlKeys.cluster("abc123");
        SlotRoute cp = SlotRoute.of(argv("SET", keys.checkpoint(), "x"));
        assertThat(SlotRoute.of(argv("WATCH", keys.fence()))).isEqualTo(cp);
        assertThat(SlotRoute.of(argv("EVAL", "script", "2", keys.lease(), keys.fence(), "t"))).isEqualTo(cp);
        assertThat(ControlKeys.standalone("abc123").checkpoint()).as("standalone names unchanged").isEqualTo("__ferry:cp:abc123");
    }

    @Test
    void keylessCommandsThatChangeEveryNodeAreBroadcast() {
        for (byte[][] cmd : new byte[][][] {argv("FLUSHALL"), argv("FLUSHDB"), argv("SCRIPT", "LOAD", "return 1"),
            argv("FUNCTION", "LOAD", "REPLACE", "#!lua name=x")}) {
            assertThat(SlotRoute.of(cmd).kind()).as(Command.describe(cmd)).isEqualTo(SlotRoute.Kind.BROADCAST);
        }
    }

    @Test
    void selectOfAnyDatabaseIsLeftToTheWriterWhichSwitchesEveryMaster() {
        assertThat(SlotRoute.of(argv("SELECT", "0")).kind()).isEqualTo(SlotRoute.Kind.SELECT);
        assertThat(SlotRoute.of(argv("select", "3")).kind()).isEqualTo(SlotRoute.Kind.SELECT);
    }

    @Test
    void anMsetOfOneSlotGoesWholeAndOneOfSeveralSlotsIsSplit() {
        assertThat(SlotRoute.of(argv("MSET", "{a}1", "x", "{a}2", "y"))).isEqualTo(slot("a"));
        assertThat(SlotRoute.of(argv("MSET", "a", "x", "b", "y")).kind()).isEqualTo(SlotRoute.Kind.SPLIT);
    }

    @Test
    void aMultiKeyCommandOtherThanMsetAcrossSlotsIsRefused() {
        assertThatThrownBy(() -> SlotRoute.of(argv("DEL", "a", "b"))).isInstanceOf(FerryException.class)
                .hasMessageContaining("slots");
    }

    @Test
    void transactionBoundariesAreRecognisedInAnyCase() {
        assertThat(SlotRoute.of(argv("multi")).kind()).isEqualTo(SlotRoute.Kind.MULTI);
        assertThat(SlotRoute.of(argv("EXEC")).kind()).isEqualTo(SlotRoute.Kind.EXEC);
        assertThat(SlotRoute.of(argv("Discard")).kind()).isEqualTo(SlotRoute.Kind.DISCARD);
    }

    @Test
    void aCommandWithoutAKeyThatIsNoBroadcastIsRefused() {
        assertThatThrownBy(() -> SlotRoute.of(argv("BGSAVE"))).isInstanceOf(FerryException.class)
                .hasMessageContaining("names no key");
    }

    private static SlotRoute slot(String key) {
        return new SlotRoute(SlotRoute.Kind.SLOT, SlotHash.slot(key.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[][] argv(String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return argv;
    }
}
