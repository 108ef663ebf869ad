//! The adapters against the real things: local files, and the local Redis (`TEST_REDIS_URL`,
//! default `redis://127.0.0.1:6379`).
#![expect(clippy::unwrap_used, reason = "a test fails loudly on the first surprise")]

use std::time::Duration;

use bytes::Bytes;
use vendhub_app::ports::{BlobStore, Cache, DomainEvent, EventBus};
use vendhub_infra::blobs::Blobs;
use vendhub_infra::memory::{MemoryBus, MemoryCache};
use vendhub_infra::redis_bus::RedisBus;
use vendhub_infra::redis_cache::RedisCache;

fn redis_client() -> redis::Client {
    let url = std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into());
    redis::Client::open(url).unwrap()
}

fn unique(prefix: &str) -> String {
    format!("{prefix}:{}:", uuid::Uuid::now_v7().simple())
}

fn event(n: i64) -> DomainEvent {
    DomainEvent {
        name: "machine:status".into(),
        organization_id: "org".into(),
        machine_id: Some("m1".into()),
        payload: serde_json::json!({ "n": n }),
    }
}

// Paused time: the sleeps below advance a virtual clock, they do not wait.
#[tokio::test(start_paused = true)]
async fn memory_cache_expires_and_counts_in_windows() {
    let cache = MemoryCache::new();
    cache.set("k", b"v", Duration::from_millis(50)).await.unwrap();
    assert_eq!(cache.get("k").await.unwrap(), Some(b"v".to_vec()));
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert_eq!(cache.get("k").await.unwrap(), None);

    assert_eq!(cache.incr("c", Duration::from_millis(80)).await.unwrap().0, 1);
    assert_eq!(cache.incr("c", Duration::from_millis(80)).await.unwrap().0, 2);
    tokio::time::sleep(Duration::from_millis(90)).await;
    assert_eq!(
        cache.incr("c", Duration::from_millis(80)).await.unwrap().0,
        1,
        "a new window starts at 1"
    );
}

#[tokio::test]
async fn memory_bus_delivers_to_every_subscriber() {
    let bus = MemoryBus::new();
    let mut a = bus.subscribe();
    let mut b = bus.subscribe();
    bus.publish(&event(1)).await.unwrap();
    assert_eq!(a.recv().await.unwrap(), event(1));
    assert_eq!(b.recv().await.unwrap(), event(1));
}

#[tokio::test]
async fn two_redis_caches_share_one_counter() {
    let prefix = unique("vh-test");
    let one = RedisCache::connect(redis_client(), &prefix).await.unwrap();
    let two = RedisCache::connect(redis_client(), &prefix).await.unwrap();
    one.ping().await.unwrap();
    assert_eq!(
        one.incr("login:1.2.3.4", Duration::from_secs(60))
            .await
            .unwrap()
            .0,
        1
    );
    let (n, left) = two.incr("login:1.2.3.4", Duration::from_secs(60)).await.unwrap();
    assert_eq!(n, 2, "the second replica sees the first one's hit");
    assert!(left <= Duration::from_secs(60) && left > Duration::from_secs(50));

    one.set("k", b"shared", Duration::from_secs(5)).await.unwrap();
    assert_eq!(two.get("k").await.unwrap(), Some(b"shared".to_vec()));
    two.delete("k").await.unwrap();
    assert_eq!(one.get("k").await.unwrap(), None);
}

#[tokio::test]
async fn an_event_published_on_one_replica_reaches_the_other() {
    let channel = unique("vh-test-events");
    let one = RedisBus::connect(redis_client(), &channel).await.unwrap();
    let two = RedisBus::connect(redis_client(), &channel).await.unwrap();
    let mut on_two = two.subscribe();
    let mut on_one = one.subscribe();
    one.publish(&event(7)).await.unwrap();
    let got = tokio::time::timeout(Duration::from_secs(5), on_two.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got, event(7));
    let own = tokio::time::timeout(Duration::from_secs(5), on_one.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(own, event(7), "the publishing replica's own clients get it too");
}

#[tokio::test]
async fn a_replicas_local_feed_has_its_own_events_only() {
    let channel = unique("vh-test-events");
    let one = RedisBus::connect(redis_client(), &channel).await.unwrap();
    let two = RedisBus::connect(redis_client(), &channel).await.unwrap();
    let (mut local_one, mut local_two) = (one.subscribe_local(), two.subscribe_local());
    let mut all_two = two.subscribe();
    one.publish(&event(1)).await.unwrap();
    two.publish(&event(2)).await.unwrap();
    assert_eq!(local_one.recv().await.unwrap(), event(1));
    assert_eq!(local_two.recv().await.unwrap(), event(2));
    // Once replica two has heard both, its local feed still holds nothing from replica one.
    for _ in 0..2 {
        tokio::time::timeout(Duration::from_secs(5), all_two.recv())
            .await
            .unwrap()
            .unwrap();
    }
    assert!(local_one.try_recv().is_err());
    assert!(local_two.try_recv().is_err());

    let memory = MemoryBus::new();
    let mut local = memory.subscribe_local();
    memory.publish(&event(3)).await.unwrap();
    assert_eq!(local.recv().await.unwrap(), event(3));
}

#[tokio::test]
async fn local_files_round_trip_and_list() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = Blobs::local(&dir.path().join("files")).unwrap();
    blobs.ping().await.unwrap();
    blobs
        .put("tasks/1/a.jpg", Bytes::from_static(b"jpeg"))
        .await
        .unwrap();
    blobs
        .put("tasks/2/b.jpg", Bytes::from_static(b"jpeg2"))
        .await
        .unwrap();
    assert_eq!(
        blobs.get("tasks/1/a.jpg").await.unwrap().as_deref(),
        Some(b"jpeg".as_slice())
    );
    assert_eq!(
        blobs.list("tasks").await.unwrap(),
        vec!["tasks/1/a.jpg", "tasks/2/b.jpg"]
    );
    blobs.delete("tasks/1/a.jpg").await.unwrap();
    assert_eq!(blobs.get("tasks/1/a.jpg").await.unwrap(), None);
    blobs.delete("tasks/1/a.jpg").await.unwrap();
}
