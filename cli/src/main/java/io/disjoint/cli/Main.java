package io.disjoint.cli;

/** Entry point of the {@code disjoint} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.out.println("disjoint: no commands yet");
  }
}
