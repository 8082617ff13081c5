package io.disjoint.staking.testing;

import io.disjoint.staking.ledger.LedgerOp;
import io.disjoint.staking.ledger.LedgerParams;
import io.disjoint.staking.receipt.Account;
import java.math.BigInteger;
import java.util.Map;

/** Small numbers and short periods so ledger rules are easy to follow in tests. */
public final class LedgerFixtures {
  public static final Account OPERATOR = Account.named("operator");
  public static final Account OPERATOR_2 = Account.named("operator-2");
  public static final Account OPERATOR_3 = Account.named("operator-3");
  public static final Account REPORTER = Account.named("reporter");
  public static final BigInteger POOL = BigInteger.valueOf(1_000_000);

  private LedgerFixtures() {}

  public static BigInteger n(long v) {
    return BigInteger.valueOf(v);
  }

  public static LedgerParams params() {
    return new LedgerParams(Fixtures.DOMAIN, Fixtures.EPOCHS, n(1000), 1_000, 5_000, 2_000, 3_000,
        600_000, 600_000, 1_000, 2_500, 1, n(10), n(50), n(400), n(300), 5_000, 2);
  }

  public static LedgerOp.Genesis genesis() {
    return new LedgerOp.Genesis(params(), Map.of(
        OPERATOR, n(10_000), OPERATOR_2, n(10_000), OPERATOR_3, n(10_000),
        Fixtures.PAYER, n(1_000_000_000_000L)), POOL);
  }
}
