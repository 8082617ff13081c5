package io.disjoint.relay.protocol;

import java.util.Objects;

/**
 * One decoded relay response.
 *
 * @param requestId the request this answers
 * @param status outcome
 * @param errorMessage reason when status is not OK, else empty
 * @param payload the upstream's raw JSON-RPC response when OK, else empty
 * @param headNumber the serving node's upstream head height, -1 when unknown
 * @param headHash 32-byte hash of that head, empty when unknown
 * @param attestation the node's signed response attestation, empty when receipts are off
 */
public record RelayResponse(
    long requestId,
    RelayStatus status,
    String errorMessage,
    byte[] payload,
    long headNumber,
    byte[] headHash,
    byte[] attestation) {
  private static final byte[] EMPTY = new byte[0];

  public RelayResponse {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(errorMessage, "errorMessage");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(headHash, "headHash");
    Objects.requireNonNull(attestation, "attestation");
    if (headNumber < -1) {
      throw new RelayProtocolException("head number out of range");
    }
    if (headHash.length != 0 && headHash.length != 32) {
      throw new RelayProtocolException("head hash must be 32 bytes, got " + headHash.length);
    }
    if (attestation.length > RelayProtocol.MAX_SIGNED_BLOB) {
      throw new RelayProtocolException("attestation of " + attestation.length + " bytes is too large");
    }
    if (status == RelayStatus.OK && payload.length == 0) {
      throw new RelayProtocolException("OK response without payload");
    }
  }

  /** The acknowledgement of a batch-only request: BATCH_ACCEPTED, nothing else. */
  public static RelayResponse batchAccepted(long requestId) {
    return new RelayResponse(requestId, RelayStatus.BATCH_ACCEPTED, "", EMPTY, -1, EMPTY, EMPTY);
  }

  public static RelayResponse ok(long requestId, byte[] payload, long headNumber, byte[] headHash, byte[] attestation) {
    return new RelayResponse(requestId, RelayStatus.OK, "", payload, headNumber, headHash, attestation);
  }

  public static RelayResponse failure(long requestId, RelayStatus status, String message, long headNumber, byte[] headHash) {
    if (status == RelayStatus.OK) {
      throw new IllegalArgumentException("failure needs a non-OK status");
    }
    return new RelayResponse(requestId, status, message, EMPTY, headNumber, headHash, EMPTY);
  }

  public boolean isOk() {
    return status == RelayStatus.OK;
  }

  @Override
  public String toString() {
    return "RelayResponse[id=" + requestId + ", " + status
        + (errorMessage.isEmpty() ? "" : " (" + errorMessage + ")")
        + ", " + payload.length + " bytes, head " + headNumber + "]";
  }
}
