package io.disjoint.staking.receipt;

import java.util.regex.Pattern;

/** CAIP-2 chain ids ("eip155:1"): namespace [-a-z0-9]{3,8}, reference [-_a-zA-Z0-9]{1,32}. */
public final class Caip2 {
  private static final Pattern CHAIN = Pattern.compile("[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}");

  private Caip2() {}

  public static String check(String chain) {
    if (chain == null || !CHAIN.matcher(chain).matches()) {
      throw new IllegalArgumentException("not a CAIP-2 chain id: " + chain);
    }
    return chain;
  }
}
