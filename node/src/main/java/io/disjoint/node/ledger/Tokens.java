package io.disjoint.node.ledger;

import io.disjoint.node.config.ConfigException;
import java.math.BigDecimal;
import java.math.BigInteger;

/** Token amounts as people write them (decimal tokens, 18 decimals) and as the ledger keeps them (wei). */
public final class Tokens {
  public static final int DECIMALS = 18;

  private Tokens() {}

  /** Parses "1000" or "0.25" tokens into wei; errors name {@code flag}. */
  public static BigInteger parse(String text, String flag) {
    try {
      BigDecimal d = new BigDecimal(text.trim());
      if (d.signum() < 0) {
        throw new ConfigException(flag + " must not be negative, got '" + text + "'");
      }
      return d.movePointRight(DECIMALS).toBigIntegerExact();
    } catch (NumberFormatException | ArithmeticException e) {
      throw new ConfigException(flag + " expects an amount of tokens such as 1000 or 0.5 (at most 18 decimals), got '" + text + "'");
    }
  }

  /** Wei as decimal tokens without trailing zeros, e.g. 1500000000000000000 -> "1.5". */
  public static String format(BigInteger wei) {
    BigDecimal d = new BigDecimal(wei).movePointLeft(DECIMALS).stripTrailingZeros();
    return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
  }
}
