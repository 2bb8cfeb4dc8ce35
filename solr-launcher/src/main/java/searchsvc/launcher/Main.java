package searchsvc.launcher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;
import org.apache.solr.cloud.MiniSolrCloudCluster;

/**
 * Runs a local SolrCloud cluster for development and tests: N Jetty nodes and an embedded
 * ZooKeeper in this JVM, all on 127.0.0.1.
 *
 * <p>Usage: {@code Main --nodes N --dir DIR}. Once every node answers, DIR/cluster.json holds
 * the nodes' Solr URLs, the ZooKeeper address and the control URL, a loopback HTTP endpoint
 * that stops or restarts one node ({@code /stop-node?node=N}, {@code /start-node?node=N}),
 * reports the nodes ({@code /status}) and shuts everything down ({@code /shutdown}).
 */
public final class Main {
  private final MiniSolrCloudCluster cluster;
  private final Path dir;
  // The runners in start order: a stopped node keeps its index, so node N stays node N.
  private final List<JettySolrRunner> nodes;
  private final List<Boolean> running = new ArrayList<>();
  private final CountDownLatch done = new CountDownLatch(1);
  private HttpServer control;

  private Main(MiniSolrCloudCluster cluster, Path dir) {
    this.cluster = cluster;
    this.dir = dir;
    this.nodes = new ArrayList<>(cluster.getJettySolrRunners());
    for (int i = 0; i < nodes.size(); i++) running.add(true);
  }

  public static void main(String[] args) throws Exception {
    int count = 3;
    Path dir = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--nodes" -> count = Integer.parseInt(args[++i]);
        case "--dir" -> dir = Path.of(args[++i]).toAbsolutePath();
        default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
      }
    }
    if (dir == null || count < 1) {
      System.err.println("usage: Main --nodes N --dir DIR");
      System.exit(2);
    }
    Files.createDirectories(dir);
    Files.deleteIfExists(dir.resolve("cluster.json"));
    // Ports are chosen by the system (0); every node listens on loopback only.
    JettyConfig jetty = JettyConfig.builder().setPort(0).setContext("/solr").build();
    MiniSolrCloudCluster cluster =
        new MiniSolrCloudCluster(count, dir.resolve("nodes"), MiniSolrCloudCluster.DEFAULT_CLOUD_SOLR_XML, jetty);
    Main main = new Main(cluster, dir);
    Runtime.getRuntime().addShutdownHook(new Thread(main::shutdownQuietly));
    main.serveControl();
    main.writeClusterJson();
    main.done.await();
    main.shutdownQuietly();
    System.exit(0);
  }

  private void serveControl() throws IOException {
    control = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    control.createContext("/status", ex -> reply(ex, 200, statusJson()));
    control.createContext("/stop-node", ex -> nodeCommand(ex, false));
    control.createContext("/start-node", ex -> nodeCommand(ex, true));
    control.createContext("/shutdown", ex -> {
      reply(ex, 200, "{\"stopping\": true}");
      done.countDown();
    });
    control.start();
  }

  private synchronized void nodeCommand(HttpExchange ex, boolean start) throws IOException {
    String query = ex.getRequestURI().getQuery();
    int node;
    try {
      node = Integer.parseInt(query == null ? "" : query.replaceFirst("^node=", ""));
    } catch (NumberFormatException e) {
      reply(ex, 400, "{\"error\": \"expected ?node=N\"}");
      return;
    }
    if (node < 0 || node >= nodes.size()) {
      reply(ex, 404, "{\"error\": \"no node " + node + "\"}");
      return;
    }
    try {
      if (start && !running.get(node)) {
        // The same port again: clients keep the node's URL from cluster.json.
        cluster.startJettySolrRunner(nodes.get(node), true);
        cluster.waitForNode(nodes.get(node), 60);
        running.set(node, true);
      } else if (!start && running.get(node)) {
        cluster.stopJettySolrRunner(nodes.get(node));
        cluster.waitForJettyToStop(nodes.get(node));
        running.set(node, false);
      }
      writeClusterJson();
      reply(ex, 200, statusJson());
    } catch (Exception e) {
      reply(ex, 500, "{\"error\": " + quote(String.valueOf(e)) + "}");
    }
  }

  private synchronized String statusJson() {
    StringBuilder urls = new StringBuilder();
    StringBuilder states = new StringBuilder();
    for (int i = 0; i < nodes.size(); i++) {
      String sep = i == 0 ? "" : ", ";
      urls.append(sep).append(quote(nodes.get(i).getBaseUrl().toString()));
      states.append(sep).append(running.get(i));
    }
    return "{\"solr_urls\": [" + urls + "], \"running\": [" + states + "], \"zk_host\": "
        + quote(cluster.getZkServer().getZkAddress()) + ", \"control_url\": "
        + quote("http://127.0.0.1:" + control.getAddress().getPort()) + ", \"pid\": "
        + ProcessHandle.current().pid() + "}";
  }

  private void writeClusterJson() throws IOException {
    // Written whole then renamed: a reader never sees half a file.
    Path partial = dir.resolve("cluster.json.partial");
    Files.writeString(partial, statusJson() + "\n", StandardCharsets.UTF_8);
    Files.move(partial, dir.resolve("cluster.json"), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  private synchronized void shutdownQuietly() {
    if (control != null) {
      control.stop(0);
      control = null;
    }
    try {
      Files.deleteIfExists(dir.resolve("cluster.json"));
      cluster.shutdown();
    } catch (Exception e) {
      System.err.println("shutdown: " + e);
    }
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
