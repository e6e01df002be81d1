namespace Edge.Gateway;
public static class Program { public static int Main() => 0; }
