package dev.quotegate.platform;

import java.util.List;

/**
 * Redacts secrets (provider API keys, tokens) from text by value: every occurrence of a whole
 * secret, and every run of {@value #MIN_FRAGMENT} or more characters of the text that is also a
 * run of a secret, so a provider that echoes part of a key (a parser quoting a token cut at a
 * {@code -}, an error page showing a prefix) leaks none of it. Over-redacting a log line costs
 * nothing; leaking four characters of a key costs its entropy.
 */
public final class Secrets {

  /** Shortest run of a secret that is redacted on its own. */
  public static final int MIN_FRAGMENT = 4;

  private static final String MASK = "****";

  private Secrets() {}

  /** {@code text} with every secret of {@code secrets}, and every fragment of one, masked. */
  public static String redact(String text, List<String> secrets) {
    if (text == null || text.isEmpty() || secrets.isEmpty()) {
      return text;
    }
    String out = text;
    for (String s : secrets) {
      if (s != null && !s.isEmpty()) {
        out = out.replace(s, MASK);
      }
    }
    for (String s : secrets) {
      if (s != null && s.length() >= MIN_FRAGMENT) {
        out = redactFragments(out, s);
      }
    }
    return out;
  }

  /** Masks every maximal run of {@code text} of at least MIN_FRAGMENT chars that occurs in {@code secret}. */
  private static String redactFragments(String text, String secret) {
    StringBuilder sb = null;
    int i = 0;
    int copied = 0;
    int n = text.length();
    while (i <= n - MIN_FRAGMENT) {
      if (secret.contains(text.substring(i, i + MIN_FRAGMENT))) {
        int end = i + MIN_FRAGMENT;
        while (end < n && secret.contains(text.substring(i, end + 1))) {
          end++;
        }
        if (sb == null) {
          sb = new StringBuilder(n);
        }
        sb.append(text, copied, i).append(MASK);
        copied = end;
        i = end;
      } else {
        i++;
      }
    }
    if (sb == null) {
      return text;
    }
    return sb.append(text, copied, n).toString();
  }
}
