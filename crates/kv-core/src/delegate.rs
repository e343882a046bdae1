//! `delegate_key_value!`: implement [`KeyValue`](crate::KeyValue) for a newtype around a store.

/// Implements [`KeyValue`](crate::KeyValue) for a struct by forwarding every method to one of
/// its fields, so a backend crate can expose `MemoryStore` with its own constructors while
/// [`Store`](crate::Store) does the work.
///
/// ```
/// use kv_core::{Store, KeyValue};
/// # struct B; #[kv_core::async_trait] impl kv_core::Backend for B {
/// #   fn name(&self) -> &'static str { "b" }
/// #   async fn get_entry(&self, _: &kv_core::Name<'_>, _: &kv_core::Name<'_>) -> kv_core::Result<Option<kv_core::Entry>> { Ok(None) }
/// #   async fn put_entry(&self, _: &kv_core::Name<'_>, _: &kv_core::Name<'_>, _: kv_core::Entry) -> kv_core::Result<()> { Ok(()) }
/// #   async fn delete_entry(&self, _: &kv_core::Name<'_>, _: &kv_core::Name<'_>, _: kv_core::Timestamp) -> kv_core::Result<bool> { Ok(false) }
/// # }
/// pub struct MyStore { inner: Store<B> }
/// kv_core::delegate_key_value!(MyStore, inner);
/// fn assert_kv<T: KeyValue>() {}
/// assert_kv::<MyStore>();
/// ```
#[macro_export]
macro_rules! delegate_key_value {
    ($ty:ty, $field:ident) => {
        #[$crate::async_trait]
        impl $crate::KeyValue for $ty {
            async fn get(
                &self,
                c: Option<&str>,
                k: &str,
            ) -> $crate::Result<Option<$crate::Object>> {
                self.$field.get(c, k).await
            }
            async fn get_many(
                &self,
                c: Option<&str>,
                k: &[&str],
            ) -> $crate::Result<Vec<Option<$crate::Object>>> {
                self.$field.get_many(c, k).await
            }
            async fn ttl(
                &self,
                c: Option<&str>,
                k: &str,
            ) -> $crate::Result<Option<$crate::ValueWithTtl>> {
                self.$field.ttl(c, k).await
            }
            async fn ttl_many(
                &self,
                c: Option<&str>,
                k: &[&str],
            ) -> $crate::Result<Vec<Option<$crate::ValueWithTtl>>> {
                self.$field.ttl_many(c, k).await
            }
            async fn put(
                &self,
                c: Option<&str>,
                k: &str,
                v: $crate::Object,
                t: Option<::std::time::Duration>,
            ) -> $crate::Result<()> {
                self.$field.put(c, k, v, t).await
            }
            async fn put_many(
                &self,
                c: Option<&str>,
                e: Vec<(String, $crate::Object)>,
                t: Option<::std::time::Duration>,
            ) -> $crate::Result<()> {
                self.$field.put_many(c, e, t).await
            }
            async fn delete(&self, c: Option<&str>, k: &str) -> $crate::Result<bool> {
                self.$field.delete(c, k).await
            }
            async fn delete_many(&self, c: Option<&str>, k: &[&str]) -> $crate::Result<usize> {
                self.$field.delete_many(c, k).await
            }
            fn capabilities(&self) -> $crate::Capabilities {
                self.$field.capabilities()
            }
            async fn keys(&self, c: Option<&str>, l: Option<usize>) -> $crate::Result<Vec<String>> {
                self.$field.keys(c, l).await
            }
            async fn collections(&self, l: Option<usize>) -> $crate::Result<Vec<String>> {
                self.$field.collections(l).await
            }
            async fn destroy(&self) -> $crate::Result<bool> {
                self.$field.destroy().await
            }
            async fn destroy_collection(&self, c: &str) -> $crate::Result<bool> {
                self.$field.destroy_collection(c).await
            }
            async fn cull(&self) -> $crate::Result<()> {
                self.$field.cull().await
            }
            async fn put_if_absent(
                &self,
                c: Option<&str>,
                k: &str,
                v: $crate::Object,
                t: Option<::std::time::Duration>,
            ) -> $crate::Result<bool> {
                self.$field.put_if_absent(c, k, v, t).await
            }
            async fn setup(&self) -> $crate::Result<()> {
                self.$field.setup().await
            }
            async fn close(&self) -> $crate::Result<()> {
                self.$field.close().await
            }
        }
    };
}
