package io.disjoint.node.config;

import io.disjoint.node.NodeException;

/**
 * A configuration value the operator must fix. The message names the flag or config key and the
 * offending value, so a CLI can print it as one line.
 */
public class ConfigException extends NodeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
