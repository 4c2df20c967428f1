package dev.ferry.sink;

import dev.ferry.rdb.RdbType;
import dev.ferry.resp.ServerInfo;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TargetProfileTest {

    private static TargetProfile target(String version, boolean valkey) {
        return new TargetProfile(ServerInfo.Version.parse(version, valkey), TargetProfile.DEFAULT_PROTO_MAX_BULK_LEN);
    }

    @Test
    void aValkey9TargetRestoresItsOwnHashTwoAndNoneOfRedisFieldExpiryHashes() {
        TargetProfile valkey9 = target("9.1.2", true);
        assertThat(valkey9.restores(RdbType.VALKEY_HASH_2)).isTrue();
        assertThat(valkey9.restores(RdbType.SET_LISTPACK)).isTrue();
        assertThat(valkey9.restores(RdbType.STREAM_LISTPACKS_3)).isTrue();
        assertThat(valkey9.restores(RdbType.HASH_METADATA)).isFalse();
        assertThat(valkey9.restores(RdbType.HASH_LISTPACK_EX)).isFalse();
        assertThat(valkey9.restores(RdbType.HASH_METADATA_PRE_GA)).isFalse();
    }

    @Test
    void aRedisTargetRestoresItsFieldExpiryHashesFrom74OnAndNeverValkeysHashTwo() {
        assertThat(target("8.0.6", false).restores(RdbType.HASH_LISTPACK_EX)).isTrue();
        assertThat(target("8.0.6", false).restores(RdbType.VALKEY_HASH_2)).isFalse();
        assertThat(target("7.2.6", false).restores(RdbType.HASH_LISTPACK_EX)).isFalse();
        assertThat(target("7.2.6", false).restores(RdbType.SET_LISTPACK)).isTrue();
        assertThat(target("8.1.1", true).restores(RdbType.HASH_METADATA)).isFalse();
    }

    @Test
    void valkey9TakesNoPayloadOfTheVersionsItLeavesToRedis() {
        TargetProfile valkey9 = target("9.1.2", true);
        assertThat(valkey9.acceptsPayloadVersion(11)).isTrue();
        assertThat(valkey9.acceptsPayloadVersion(80)).isTrue();
        assertThat(valkey9.acceptsPayloadVersion(12)).isFalse();
        assertThat(valkey9.acceptsPayloadVersion(79)).isFalse();
        assertThat(valkey9.acceptsPayloadVersion(81)).isFalse();
        assertThat(target("8.0.6", false).acceptsPayloadVersion(12)).isTrue();
        assertThat(target("8.0.6", false).acceptsPayloadVersion(80)).isFalse();
    }

    @Test
    void hashFieldTtlsNeedRedis74OrValkey9() {
        assertThat(target("9.0.0", true).hashFieldTtl()).isTrue();
        assertThat(target("8.1.1", true).hashFieldTtl()).isFalse();
        assertThat(target("7.4.1", false).hashFieldTtl()).isTrue();
        assertThat(target("7.0.15", false).hashFieldTtl()).isFalse();
    }
}
