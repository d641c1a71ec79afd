package io.jembed.springai.autoconfigure.examples;

import java.util.List;
import org.springframework.ai.document.Document;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.stereotype.Service;

/**
 * The README's Spring Boot snippet: with jembed-spring-boot-starter and {@code
 * jembed.index.path=...} in application.properties, Spring AI's VectorStore is a jembed index.
 */
@Service
public class DocsSearch {
  private final VectorStore store;

  public DocsSearch(VectorStore store) {
    this.store = store;
  }

  public List<Document> recentEnglish(String question) {
    return store.similaritySearch(
        SearchRequest.builder()
            .query(question)
            .topK(5)
            .similarityThreshold(0.3) // cosine similarity, as Spring AI's own stores
            .filterExpression("lang == 'en' && year >= 2020")
            .build());
  }
}
