package io.jembed.model;

import java.util.List;

/**
 * A model jembed knows by name. Its weights and tokenizer.json come from a Maven Central artifact
 * (LangChain4j's ONNX model packs); its sentence-transformers configuration ships with jembed.
 *
 * @param name the canonical name ("all-MiniLM-L6-v2")
 * @param aliases other names it answers to ("sentence-transformers/all-MiniLM-L6-v2")
 * @param hubId the Hugging Face repository the pipeline settings come from
 * @param configName the folder of its sentence-transformers configuration in jembed's resources
 * @param groupId Maven group of the weights artifact
 * @param artifactId Maven artifact of the weights
 * @param version Maven version of the weights
 * @param onnxEntry the ONNX file inside the artifact
 * @param tokenizerEntry tokenizer.json inside the artifact
 * @param quantized int8 weights
 * @param description one line for listings
 */
public record BundledModel(
    String name,
    List<String> aliases,
    String hubId,
    String configName,
    String groupId,
    String artifactId,
    String version,
    String onnxEntry,
    String tokenizerEntry,
    boolean quantized,
    String description) {

  public BundledModel {
    aliases = List.copyOf(aliases);
  }

  /** groupId:artifactId:version of the weights. */
  public String coordinates() {
    return groupId + ":" + artifactId + ":" + version;
  }

  /** Whether the weights are on the class path already (no download needed). */
  public boolean onClassPath() {
    return BundledModel.class.getClassLoader().getResource(onnxEntry) != null;
  }
}
