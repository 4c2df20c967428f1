package dev.ferry.task;

import dev.ferry.FerryException;
import dev.ferry.embedded.RedisServer;
import dev.ferry.pipeline.KeyFilter;
import dev.ferry.pipeline.KeyPattern;
import dev.ferry.pipeline.MixedKeys;
import dev.ferry.resp.RedisConnection;
import dev.ferry.resp.RespValue;
import dev.ferry.verify.Verifier;
import dev.ferry.verify.VerifyMode;
import dev.ferry.verify.VerifyOptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sync of some keys only (--keys / --exclude-keys): snapshot and stream keep only matching keys, split
 * MSET and DEL that mix both, empty only matching keys on a FLUSHALL, leave the target's other keys alone,
 * and stop with a clear error on a command that moves a value across the filter's edge.
 */
class KeyFilterIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final KeyFilter FILTER = KeyFilter.of(List.of("user:*", "order:*"), List.of("user:tmp:*"));

    @Test
    void onlyMatchingKeysAreCopiedAndOwned() throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect()) {
            for (int i = 0; i < 50; i++) {
                src.callChecked("SET", "user:" + i, "u" + i);
                src.callChecked("SET", "user:tmp:" + i, "t" + i);
                src.callChecked("RPUSH", "order:" + i, "a", "b");
                src.callChecked("SET", "other:" + i, "o" + i);
            }
            tgt.callChecked("SET", "keep:me", "the target's own");
            SyncOptions options = SyncOptions.builder(source.endpoint(), target.endpoint()).keys(FILTER)
                    .progressInterval(Duration.ZERO).build();
            try (SyncHarness sync = SyncHarness.start(options)) {
                sync.awaitStreaming(TIMEOUT);
                src.callChecked("MSET", "user:100", "x", "other:100", "y", "order:100", "z", "user:tmp:100", "w");
                src.callChecked("DEL", "user:1", "other:1", "user:tmp:1");
                src.callChecked("RENAME", "user:2", "user:200");
                src.callChecked("INCR", "other:counter");
                src.callChecked("MULTI");
                src.callChecked("INCR", "user:counter");
                src.callChecked("INCR", "other:counter");
                src.callChecked("EXEC");
                sync.awaitCaughtUp(src, TIMEOUT);
                assertThat(userKeys(tgt)).isEqualTo(expected(src));
                assertThat(tgt.callChecked("GET", "user:100").asText()).isEqualTo("x");
                assertThat(tgt.callChecked("GET", "user:counter").asText()).isEqualTo("1");
                assertThat(Verifier.run(VerifyOptions.builder(source.endpoint(), target.endpoint()).keys(FILTER)
                        .mode(VerifyMode.FULL).build()).differences()).isEmpty();

                src.callChecked("FLUSHALL");
                src.callChecked("SET", "user:after", "1");
                sync.awaitCaughtUp(src, TIMEOUT);
                assertThat(userKeys(tgt)).containsExactly("keep:me", "user:after");

                // A value moving from inside the filter to outside cannot be applied in part.
                src.callChecked("RENAME", "user:after", "other:after");
                FerryException failure = sync.awaitFailure(TIMEOUT);
                assertThat(failure.getMessage()).contains("RENAME").contains("inside and outside").contains("--on-mixed-keys");
            }
        }
    }

    /**
     * A write the filter cannot split stops every restart at the same offset, until the user says what to do with
     * it: --on-mixed-keys drop goes past it, leaving it out; apply applies it whole. Each is counted.
     */
    @Test
    void aWriteTheFilterCannotSplitIsDroppedOrAppliedWhenTheUserSaysSo() throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--repl-diskless-sync-delay", "0").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect()) {
            for (String key : List.of("user:1", "user:2", "user:3")) {
                src.callChecked("SET", key, "v" + key);
            }
            SyncOptions.Builder options = SyncOptions.builder(source.endpoint(), target.endpoint()).keys(FILTER)
                    .progressInterval(Duration.ZERO);
            try (SyncHarness sync = SyncHarness.start(options.build())) {
                sync.awaitStreaming(TIMEOUT);
                src.callChecked("RENAME", "user:1", "other:1");
                src.callChecked("SET", "user:after", "1");
                assertThat(sync.awaitFailure(TIMEOUT).getMessage()).contains("--on-mixed-keys");
            }
            try (SyncHarness again = SyncHarness.start(options.build())) {
                assertThat(again.awaitFailure(TIMEOUT).getMessage()).contains("RENAME").contains("--on-mixed-keys");
            }

            try (SyncHarness drop = SyncHarness.start(options.onMixedKeys(MixedKeys.DROP).build())) {
                drop.awaitStreaming(TIMEOUT);
                src.callChecked("RENAME", "user:2", "other:2");
                src.callChecked("SET", "user:after", "2");
                drop.awaitCaughtUp(src, TIMEOUT);
                assertThat(tgt.callChecked("GET", "user:after").asText()).isEqualTo("2");
                // Left out: the target keeps the keys the source renamed away, and gets nothing outside the filter.
                assertThat(userKeys(tgt)).containsExactly("user:1", "user:2", "user:3", "user:after");
                assertThat(drop.task.counters().commandsMixedKeys.sum()).isEqualTo(2);
                drop.stop();
            }

            try (SyncHarness apply = SyncHarness.start(options.onMixedKeys(MixedKeys.APPLY).build())) {
                apply.awaitStreaming(TIMEOUT);
                src.callChecked("RENAME", "user:3", "other:3");
                src.callChecked("SET", "user:after", "3");
                apply.awaitCaughtUp(src, TIMEOUT);
                assertThat(tgt.callChecked("GET", "user:after").asText()).isEqualTo("3");
                assertThat(tgt.callChecked("GET", "other:3").asText()).isEqualTo("vuser:3");
                assertThat(userKeys(tgt)).containsExactly("other:3", "user:1", "user:2", "user:after");
                assertThat(apply.task.counters().commandsMixedKeys.sum()).isEqualTo(1);
                apply.stop();
            }
        }
    }

    /** The key patterns agree with the server's own matching (KEYS), for the patterns of this test and more. */
    @Test
    void patternsMatchAsTheServerDoes() {
        try (RedisServer server = RedisServer.builder().version("7.0.15").start(); RedisConnection c = server.connect()) {
            List<String> keys = List.of("user:1", "user:tmp:1", "users", "hello", "hallo", "hxllo", "h[llo", "a*b", "axb",
                    "order:", "x", "hl", "ho", "h]", "a-b", "]", "b", "");
            for (String k : keys) {
                if (!k.isEmpty()) {
                    c.callChecked("SET", k, "1");
                }
            }
            for (String pattern : List.of("user:*", "*:tmp:*", "h?llo", "h[ae]llo", "h[^e]llo", "h[a-h]llo", "a\\*b",
                    "order:*", "*", "h[llo", "[abc", "h[]", "[]]", "[z-a]", "[^a-c]", "a[\\-]b", "h\\[llo")) {
                Set<String> theirs = new TreeSet<>();
                for (RespValue v : ((RespValue.Array) c.callChecked("KEYS", pattern)).items()) {
                    theirs.add(v.asText());
                }
                KeyPattern ours = new KeyPattern(pattern);
                Set<String> mine = new TreeSet<>();
                keys.stream().filter(k -> !k.isEmpty() && ours.matches(k.getBytes(StandardCharsets.UTF_8))).forEach(mine::add);
                assertThat(mine).as(pattern).isEqualTo(theirs);
            }
        }
    }

    /** The source's keys that pass the filter, with the target's own keep:me. */
    private static Set<String> expected(RedisConnection src) {
        Set<String> out = new TreeSet<>();
        for (RespValue v : ((RespValue.Array) src.callChecked("KEYS", "*")).items()) {
            if (FILTER.matches(v.asText().getBytes(StandardCharsets.UTF_8))) {
                out.add(v.asText());
            }
        }
        out.add("keep:me");
        return out;
    }

    private static Set<String> userKeys(RedisConnection conn) {
        Set<String> out = new TreeSet<>();
        for (RespValue v : ((RespValue.Array) conn.callChecked("KEYS", "*")).items()) {
            if (!v.asText().startsWith("__ferry:")) {
                out.add(v.asText());
            }
        }
        return out;
    }
}
