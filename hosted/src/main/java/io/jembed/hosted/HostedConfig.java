package io.jembed.hosted;

import java.net.URI;
import java.time.Duration;

/** Everything a hosted model was loaded with, resolved and validated. */
record HostedConfig(
    HostedApi api,
    String model,
    URI endpoint,
    String apiKey,
    Integer dimensions,
    Duration timeout,
    HostedSettings settings,
    ModelSpec spec,
    String revision,
    Sleeper sleeper) {

  @Override
  public String toString() {
    // never print the API key
    return "HostedConfig{" + api.scheme + ":" + model + " at " + endpoint + "}";
  }
}
