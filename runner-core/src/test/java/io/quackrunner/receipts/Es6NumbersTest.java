package io.quackrunner.receipts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Es6NumbersTest {
  private static final long SEED = 8785L;

  @Test
  void matchesEcmaScriptForKnownValues() {
    // Expected strings are what Number.prototype.toString prints in V8 and SpiderMonkey.
    Object[][] cases = {
      {0.0, "0"},
      {-0.0, "0"},
      {1.0, "1"},
      {-1.5, "-1.5"},
      {0.1 + 0.2, "0.30000000000000004"},
      {1e21, "1e+21"},
      {1e20, "100000000000000000000"},
      {123456789012345680000.0, "123456789012345680000"},
      {1e-6, "0.000001"},
      {1e-7, "1e-7"},
      {1.5e-7, "1.5e-7"},
      {0.0000123, "0.0000123"},
      {9007199254740992.0, "9007199254740992"},
      {Double.MAX_VALUE, "1.7976931348623157e+308"},
      {Double.MIN_VALUE, "5e-324"},
      {1e-323, "1e-323"},
      {2e-323, "2e-323"},
      {Double.MIN_NORMAL, "2.2250738585072014e-308"},
      {333333333.33333329, "333333333.3333333"},
      {4.35, "4.35"},
      {1e23, "1e+23"},
      {5e-324 * 3, "1.5e-323"},
    };
    for (Object[] c : cases) {
      assertThat(Es6Numbers.format((double) c[0])).as("%s", c[0]).isEqualTo(c[1]);
    }
  }

  @Test
  void randomDoublesRoundTripAndAreNoLongerThanTheJdkForm() {
    Random random = new Random(SEED);
    for (int i = 0; i < 200_000; i++) {
      double d = Double.longBitsToDouble(random.nextLong());
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        continue;
      }
      String s = Es6Numbers.format(d);
      String at =
          "seed=" + SEED + " i=" + i + " bits=" + Long.toHexString(Double.doubleToLongBits(d));
      assertThat(Double.parseDouble(s)).as(at).isEqualTo(d == 0 ? 0.0 : d);
      assertThat(s).as(at).doesNotContain("E").doesNotEndWith(".");
      assertThat(significantDigits(s)).as(at).isLessThanOrEqualTo(17);
    }
  }

  private static int significantDigits(String s) {
    String mantissa = s.split("e")[0].replace("-", "").replace(".", "");
    return mantissa.replaceAll("^0+", "").replaceAll("0+$", "").length();
  }
}
