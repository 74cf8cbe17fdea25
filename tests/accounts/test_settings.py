"""Token and throttle settings fail closed, and the cache is shared across processes."""

from tests.beaconport.test_settings import run_django

PRINT = (
    "from django.conf import settings; "
    "print('CACHE', settings.CACHES['default']['BACKEND']); "
    "print('TTL', settings.REST_KNOX['TOKEN_TTL'].total_seconds())"
)


def printed(result) -> dict:
    return dict(line.split(" ", 1) for line in result.stdout.splitlines() if " " in line)


def test_a_token_lifetime_below_an_hour_stops_start_up():
    result = run_django(["check"], DEBUG="true", API_TOKEN_TTL_HOURS="0")
    assert result.returncode != 0
    assert "API_TOKEN_TTL_HOURS must be at least 1" in result.stderr


def test_a_malformed_throttle_rate_stops_start_up_naming_the_variable():
    for rate in ("lots", "100/fortnight", "0/hour", "-5/minute"):
        result = run_django(["check"], DEBUG="true", API_THROTTLE_TOKEN_FAILURES=rate)
        assert result.returncode != 0, rate
        assert "API_THROTTLE_TOKEN_FAILURES must be a rate" in result.stderr


def test_the_token_lifetime_comes_from_the_environment():
    result = run_django(["shell", "-c", PRINT], DEBUG="true", API_TOKEN_TTL_HOURS="12")
    assert result.returncode == 0, result.stderr
    assert printed(result)["TTL"] == str(12 * 3600.0)


def test_without_redis_the_cache_is_files_every_process_shares():
    result = run_django(["shell", "-c", PRINT], DEBUG="true", REDIS_URL="")
    assert result.returncode == 0, result.stderr
    assert printed(result)["CACHE"] == "django.core.cache.backends.filebased.FileBasedCache"
    with_redis = run_django(["shell", "-c", PRINT], DEBUG="true", REDIS_URL="redis://h:6379/0")
    assert printed(with_redis)["CACHE"] == "django.core.cache.backends.redis.RedisCache"
