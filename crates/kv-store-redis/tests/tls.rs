//! `rediss://` to a private loopback `redis-server` that speaks only TLS, with a certificate of a
//! throw-away CA made by `openssl` for the test: trusted, the store works; untrusted, every call
//! is a clear `Connection` error, and nothing is written in plaintext.
#![cfg(feature = "tls")]

mod common;

mod redis {
    use std::path::{Path, PathBuf};
    use std::process::Command;
    use std::time::{Duration, Instant};

    use kv_core::conformance::obj;
    use kv_core::{ErrorKind, KeyValue};
    use kv_store_redis::RedisStore;
    use serde_json::json;

    use crate::common::private::{start, Server};

    /// A CA and a server certificate for `localhost` / `127.0.0.1`, signed by it.
    struct Pki {
        dir: PathBuf,
    }

    impl Pki {
        fn ca(&self) -> PathBuf {
            self.dir.join("ca.pem")
        }
        fn file(&self, name: &str) -> String {
            self.dir.join(name).display().to_string()
        }
    }

    impl Drop for Pki {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    fn openssl(dir: &Path, args: &[&str]) -> bool {
        Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .is_ok_and(|out| out.status.success())
    }

    /// A fresh CA and server certificate in a directory of their own (tests run in parallel);
    /// `None` (after printing why) when `openssl` is missing.
    fn make_pki(name: &str) -> Option<Pki> {
        let dir = std::env::temp_dir().join(format!("kv-redis-tls-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let pki = Pki { dir };
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        let ca = [
            &["req", "-x509"][..],
            &ec,
            &["-keyout", "ca.key", "-out", "ca.pem", "-days", "2"],
            &["-subj", "/CN=kv test CA"],
        ]
        .concat();
        if !openssl(&pki.dir, &ca) {
            println!("SKIPPED: openssl is not on PATH or cannot make a CA");
            return None;
        }
        let csr = [
            &["req"][..],
            &ec,
            &[
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=localhost",
            ],
        ]
        .concat();
        std::fs::write(
            pki.dir.join("san.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
        )
        .expect("extension file");
        let sign = [
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "san.ext",
        ];
        assert!(openssl(&pki.dir, &csr), "openssl makes a server key");
        assert!(
            openssl(&pki.dir, &sign),
            "openssl signs the server certificate"
        );
        Some(pki)
    }

    /// A private server on `port` that accepts only TLS connections.
    fn start_tls(pki: &Pki, port: u16) -> Option<Server> {
        let port_arg = port.to_string();
        let (cert, key, ca) = (
            pki.file("server.pem"),
            pki.file("server.key"),
            pki.file("ca.pem"),
        );
        let args = [
            "--port",
            "0",
            "--tls-port",
            &port_arg,
            "--tls-cert-file",
            &cert,
            "--tls-key-file",
            &key,
            "--tls-ca-cert-file",
            &ca,
            "--tls-auth-clients",
            "no",
        ];
        start(port, &args)
    }

    #[tokio::test]
    async fn rediss_to_a_loopback_server_with_a_private_ca_works() {
        let Some(pki) = make_pki("trusted") else {
            return;
        };
        let port = kv_core::conformance::private_port();
        let Some(_server) = start_tls(&pki, port) else {
            return;
        };
        let ca = std::fs::read(pki.ca()).expect("CA file");
        for host in ["localhost", "127.0.0.1"] {
            let store = RedisStore::builder()
                .url(format!("rediss://{host}:{port}/0"))
                .tls_root_certificates(ca.clone())
                .build()
                .unwrap();
            let value = obj(json!({"over": "tls", "host": host}));
            store
                .put(
                    Some("secure"),
                    host,
                    value.clone(),
                    Some(Duration::from_secs(60)),
                )
                .await
                .unwrap();
            assert_eq!(store.get(Some("secure"), host).await.unwrap(), Some(value));
            let ttl = store.ttl(Some("secure"), host).await.unwrap();
            assert!(ttl.as_ref().is_some_and(|(_, t)| t.is_some()), "{ttl:?}");
            assert!(store.delete(Some("secure"), host).await.unwrap());
            store.close().await.unwrap();
        }
    }

    #[tokio::test]
    async fn host_and_port_with_tls_true_works_too() {
        let Some(pki) = make_pki("parts") else { return };
        let port = kv_core::conformance::private_port();
        let Some(_server) = start_tls(&pki, port) else {
            return;
        };
        let store = RedisStore::builder()
            .host("localhost")
            .port(port)
            .tls(true)
            .tls_root_certificates(std::fs::read(pki.ca()).expect("CA file"))
            .build()
            .unwrap();
        store
            .put(None, "k", obj(json!({"v": 1})), None)
            .await
            .unwrap();
        assert_eq!(
            store.get(None, "k").await.unwrap(),
            Some(obj(json!({"v": 1})))
        );
    }

    #[tokio::test]
    async fn an_untrusted_certificate_is_a_connection_error_in_bounded_time() {
        let Some(pki) = make_pki("untrusted") else {
            return;
        };
        let port = kv_core::conformance::private_port();
        let Some(_server) = start_tls(&pki, port) else {
            return;
        };
        // The Mozilla roots do not include the test CA.
        let store = RedisStore::builder()
            .url(format!("rediss://localhost:{port}/0"))
            .connect_timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        let started = Instant::now();
        let err = store
            .put(Some("secure"), "k", obj(json!({"v": 1})), None)
            .await
            .unwrap_err();
        println!("untrusted: {err}");
        assert!(started.elapsed() < Duration::from_secs(10), "{err}");
        assert_eq!(err.kind(), &ErrorKind::Connection, "{err}");
        assert!(
            err.to_string().contains("put"),
            "names the operation: {err}"
        );
        // A plaintext client is refused too: the server never saw a value.
        let plain = RedisStore::from_url(&format!("redis://localhost:{port}/0")).unwrap();
        assert!(plain.get(Some("secure"), "k").await.is_err());
    }
}
