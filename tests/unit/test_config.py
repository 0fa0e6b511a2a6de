from core.config import _shared_limit_storage, from_environment


def test_rate_limits_are_shared_through_redis_when_processes_are(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.setenv("SOCKETIO_MESSAGE_QUEUE", "redis://127.0.0.1:6379/0")
    assert from_environment()["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    monkeypatch.delenv("SOCKETIO_MESSAGE_QUEUE")
    assert from_environment()["RATELIMIT_STORAGE_URI"] == "memory://"
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://other:6379/3")
    assert from_environment()["RATELIMIT_STORAGE_URI"] == "redis://other:6379/3"
    assert _shared_limit_storage("amqp://x") == "memory://"


def test_each_deployment_counts_its_own_limits(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("CHIBO_CLUSTER", "tinh-vinh-phuc")
    assert from_environment()["RATELIMIT_KEY_PREFIX"] == "tinh-vinh-phuc"


def test_optional_settings_come_from_the_environment_only_when_given(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("CHIBO_PDF_WORKERS", "4")
    monkeypatch.setenv("CHIBO_MINUTES_MARGINS_MM", "20 20 30 15")
    monkeypatch.delenv("CHIBO_PUBLIC_URL", raising=False)
    config = from_environment()
    assert config["CHIBO_PDF_WORKERS"] == 4
    assert config["CHIBO_MINUTES_MARGINS_MM"] == "20 20 30 15"
    assert "CHIBO_PUBLIC_URL" not in config
