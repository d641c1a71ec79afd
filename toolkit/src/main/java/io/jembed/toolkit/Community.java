package io.jembed.toolkit;

import java.util.List;

/**
 * A group of texts found by {@link CommunityDetection} or {@link NearDuplicates}: indices into the
 * input. For communities the first member is the center (the text the community was grown around)
 * and the rest follow by similarity to it.
 */
public record Community(List<Integer> members) {
  public Community {
    if (members == null || members.isEmpty()) {
      throw new IllegalArgumentException("a community needs at least one member");
    }
    members = List.copyOf(members);
  }

  /** The member the others were compared with. */
  public int center() {
    return members.get(0);
  }

  public int size() {
    return members.size();
  }
}
