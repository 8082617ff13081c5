package io.disjoint.staking.voucher;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.staking.StakingException;

/**
 * The voucher protocol as bytes in, bytes out, independent of the transport: mount
 * {@link #handle} on the libp2p protocol {@value VoucherMessages#PROTOCOL_ID} (one framed
 * request, one framed response per stream). Runs signature checks: call it off the event loop.
 */
public final class VoucherService {
  private final VoucherIssuer issuer;

  public VoucherService(VoucherIssuer issuer) {
    this.issuer = issuer;
  }

  /** @param remote the authenticated peer that opened the stream (the node asking) */
  public byte[] handle(byte[] request, PeerId remote) {
    VoucherMessages.Response response;
    try {
      response = VoucherMessages.Response.ok(issuer.issue(remote, VoucherMessages.Request.decode(request)));
    } catch (VoucherRejectedException e) {
      response = VoucherMessages.Response.rejected(e.reason(), e.getMessage());
    } catch (StakingException | IllegalArgumentException e) {
      response = VoucherMessages.Response.rejected(VoucherRejectedException.Reason.MALFORMED,
          e.getMessage() == null ? "malformed" : e.getMessage());
    }
    return response.encode();
  }
}
