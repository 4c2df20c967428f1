package dev.ferry.task;

import dev.ferry.FerryException;
import dev.ferry.checkpoint.Checkpoint;
import dev.ferry.checkpoint.CheckpointStore;
import dev.ferry.checkpoint.ControlKeys;
import dev.ferry.cluster.Topology;
import dev.ferry.pipeline.PeerMarks;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RedisEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Two-way sync: what a task reads of the task copying the other way, from that task's checkpoints in this task's
 * source. The peer is one task (a standalone source), or one task per master of a cluster source, named after the
 * masters' slots ({@link SyncTask#taskId}), which are this task's target's masters. Blocking; called on the task's
 * thread at its start.
 */
final class TwoWayPeer {

    private static final Logger log = LoggerFactory.getLogger(TwoWayPeer.class);

    private TwoWayPeer() {
    }

    /**
     * The reverse direction of a two-way sync starts only once the forward task streams: before that, the forward
     * task's snapshot writes (which carry no mark) would come back as this task's first writes. A forward task
     * copying a cluster streams when each of its tasks, one per master of this task's target, has a {@code stream}
     * checkpoint in this task's source.
     *
     * @param source this task's source: a standalone server, or a node of a cluster
     * @param sourceIsCluster whether the source is a cluster: the peer's checkpoints are then hash-tagged
     * @param target this task's target cluster, whose masters the peer copies one task each; null for a standalone one
     * @param peerDirection what the peer copies, for the message ("target -&gt; source")
     * @throws PeerNotStreamingException the forward task does not stream yet
     */
    static void requireStreaming(RedisEndpoint source, boolean sourceIsCluster, PeerMarks marks, Topology target,
                                 String peerDirection) {
        List<String> tasks = new ArrayList<>();
        if (target == null) {
            tasks.add(marks.peer());
        } else {
            for (RedisEndpoint master : target.masters()) {
                tasks.add(PeerMarks.memberId(marks.peer(), SyncTask.shardName(target.slotsOf(master))));
            }
        }
        Topology sourceSlots = sourceIsCluster ? Topology.discover(source) : null;
        List<String> missing = new ArrayList<>();
        List<String> copying = new ArrayList<>();
        for (String task : tasks) {
            ControlKeys keys = sourceIsCluster ? ControlKeys.cluster(task) : ControlKeys.standalone(task);
            RedisEndpoint home = sourceIsCluster ? sourceSlots.nodeFor(keys.checkpointBytes()) : source;
            Checkpoint checkpoint;
            try (RedisConnection conn = RedisConnection.open(home)) {
                checkpoint = new CheckpointStore(keys).load(conn);
            }
            if (checkpoint == null) {
                missing.add(keys.checkpoint());
            } else if (checkpoint.phase() != Checkpoint.Phase.STREAM) {
                copying.add(task);
            }
        }
        if (missing.isEmpty() && copying.isEmpty()) {
            return;
        }
        String state;
        if (missing.size() == tasks.size()) {
            state = "has no checkpoint in " + source.address() + (tasks.size() == 1 ? "" : " (one per master of the"
                    + " target: " + String.join(", ", missing) + ")");
        } else if (tasks.size() == 1) {
            state = "is still copying its snapshot";
        } else {
            List<String> why = new ArrayList<>();
            if (!missing.isEmpty()) {
                why.add("no checkpoint in " + source.address() + ": " + String.join(", ", missing));
            }
            if (!copying.isEmpty()) {
                why.add("still copying a snapshot: " + String.join(", ", copying));
            }
            state = "does not stream yet with its " + tasks.size() + " tasks, one per master of the target ("
                    + String.join("; ", why) + ")";
        }
        throw new PeerNotStreamingException("two-way: the forward task " + marks.peer() + " (" + peerDirection + ") " + state
                + ": start it first and wait until it streams, or pass --peer-task with its id");
    }

    /**
     * Whether the value of one of the peer's checkpoints says that task copies a snapshot: a task checkpoint, or a
     * slot's phase mark, in the {@code snapshot} phase. A slot checkpoint ({@code <replid> <offset> <db>}) is only
     * written while streaming.
     */
    static boolean isSnapshotMark(byte[] value) {
        String head = new String(value, 0, Math.min(3, value.length), StandardCharsets.US_ASCII);
        if (!head.equals("v1 ") && !head.equals("v2 ")) {
            return false;
        }
        try {
            return Checkpoint.decode(value).phase() == Checkpoint.Phase.SNAPSHOT;
        } catch (FerryException e) {
            log.warn("two-way: the reverse task's checkpoint is unreadable ({}); taken as streaming", e.getMessage());
            return false;
        }
    }
}
