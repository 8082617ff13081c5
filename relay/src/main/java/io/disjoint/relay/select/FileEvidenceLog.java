package io.disjoint.relay.select;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * An append-only JSON-lines file of evidence, one object per line, forced to disk per record
 * (dissent is rare and each record may back a slashing claim). Bytes are base64.
 */
public final class FileEvidenceLog implements EvidenceLog, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;
  private final FileChannel channel;

  public FileEvidenceLog(Path file) {
    this.file = file;
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open evidence log " + file, e);
    }
  }

  @Override
  public synchronized void record(Evidence e) {
    ObjectNode o = JSON.createObjectNode();
    Base64.Encoder b64 = Base64.getEncoder();
    o.put("at", e.at().toString());
    o.put("chain", e.chain());
    o.put("method", e.method());
    o.put("request", b64.encodeToString(e.request()));
    o.put("dissenter", e.dissenter());
    o.put("payload", b64.encodeToString(e.dissentingPayload()));
    o.put("attestation", b64.encodeToString(e.dissentingAttestation()));
    o.put("majority", e.majorityCanonical());
    ArrayNode peers = o.putArray("majorityPeers");
    e.majorityPeers().forEach(peers::add);
    byte[] line = (o.toString() + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      channel.write(java.nio.ByteBuffer.wrap(line));
      channel.force(false);
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot append to evidence log " + file, ex);
    }
  }

  @Override
  public synchronized List<Evidence> all() {
    List<Evidence> out = new ArrayList<>();
    Base64.Decoder b64 = Base64.getDecoder();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode o = JSON.readTree(line);
        List<String> peers = new ArrayList<>();
        o.path("majorityPeers").forEach(p -> peers.add(p.asText()));
        out.add(new Evidence(Instant.parse(o.get("at").asText()), o.get("chain").asText(), o.get("method").asText(),
            b64.decode(o.get("request").asText()), o.get("dissenter").asText(), b64.decode(o.get("payload").asText()),
            b64.decode(o.get("attestation").asText()), o.get("majority").asText(), peers));
      }
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot read evidence log " + file, ex);
    }
    return out;
  }

  @Override
  public synchronized void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
