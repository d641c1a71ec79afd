package io.jembed.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * The {@code <localRepository>} of a Maven settings file ({@code ~/.m2/settings.xml}), so that
 * jembed reads and fills the same local repository as the user's Maven and model packs are not
 * downloaded twice. Placeholders are interpolated as Maven does: {@code ${user.home}} and other
 * system properties, {@code ${env.NAME}} from the environment.
 */
final class MavenSettings {
  private static final System.Logger LOG = System.getLogger(MavenSettings.class.getName());
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]+)}");

  private MavenSettings() {}

  /** {@code <userHome>/.m2/settings.xml}: where Maven reads the user's settings. */
  static Path userSettings(Path userHome) {
    return userHome.resolve(".m2").resolve("settings.xml");
  }

  /**
   * The local repository the settings file names, if the file exists and names one. A file that
   * cannot be read or parsed is reported as a warning and ignored (jembed then uses Maven's
   * default), so a broken settings file never stops a model from loading.
   */
  static Optional<Path> localRepository(Path settingsFile, Path userHome, Map<String, String> env) {
    if (!Files.isRegularFile(settingsFile)) {
      return Optional.empty();
    }
    String value;
    try {
      value = readLocalRepository(settingsFile);
    } catch (IOException | SAXException | ParserConfigurationException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "ignoring <localRepository> of "
              + settingsFile
              + ": the file cannot be read as Maven settings ("
              + e.getMessage()
              + ")");
      return Optional.empty();
    }
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    String interpolated = interpolate(value.strip(), name -> lookup(name, userHome, env));
    return Optional.of(Path.of(interpolated).toAbsolutePath().normalize());
  }

  private static String readLocalRepository(Path settingsFile)
      throws IOException, SAXException, ParserConfigurationException {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    // a settings file is configuration, not a document that may pull in other files
    factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    factory.setExpandEntityReferences(false);
    factory.setNamespaceAware(false);
    DocumentBuilder builder = factory.newDocumentBuilder();
    // the parse error is reported once, in the warning above, not also printed by the parser
    builder.setErrorHandler(
        new ErrorHandler() {
          @Override
          public void warning(SAXParseException e) {}

          @Override
          public void error(SAXParseException e) throws SAXException {
            throw e;
          }

          @Override
          public void fatalError(SAXParseException e) throws SAXException {
            throw e;
          }
        });
    Element root = builder.parse(settingsFile.toFile()).getDocumentElement();
    for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && "localRepository".equals(e.getTagName())) {
        return e.getTextContent();
      }
    }
    return null;
  }

  private static String lookup(String name, Path userHome, Map<String, String> env) {
    if (name.startsWith("env.")) {
      return env.get(name.substring("env.".length()));
    }
    if (name.equals("user.home")) {
      return userHome.toString();
    }
    return System.getProperty(name);
  }

  /** Replaces each {@code ${name}} that resolves; an unknown one stays as written, as in Maven. */
  static String interpolate(String value, UnaryOperator<String> resolve) {
    Matcher m = PLACEHOLDER.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String resolved = resolve.apply(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(resolved == null ? m.group() : resolved));
    }
    m.appendTail(out);
    return out.toString();
  }
}
