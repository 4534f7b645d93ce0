/**
 * Option negotiation with the RFC 1143 "Q method".
 *
 * Each option has two independent sides: "local" (us: we send WILL/WONT and
 * receive DO/DONT) and "remote" (him: we send DO/DONT and receive WILL/WONT).
 * Each side is NO, YES, WANTNO or WANTYES plus a one-bit queue, which is what
 * guarantees the negotiation can never loop (RFC 1143 section 7).
 *
 * On top of RFC 1143 we add one rule for refusals: an option we refuse is
 * refused once per side. RFC 1143 would answer every `DO x` in state NO with
 * `WONT x`, so a peer streaming `IAC DO x` could make us write three bytes for
 * every three it sends. Remembering the refusal makes such a flood cost
 * nothing but parsing.
 *
 * The class is pure: replies go out through the `send` callback, state changes
 * are reported through `changed`. State is three 256-entry byte arrays.
 */
import { DO, DONT, WILL, WONT, type NegotiationVerb } from './constants.ts';

export const Q = { NO: 0, YES: 1, WANTNO: 2, WANTYES: 3 } as const;
export type QState = (typeof Q)[keyof typeof Q];

export type Side = 'local' | 'remote';

export interface NegotiationPolicy {
  /** Write `IAC <verb> <opt>` to the peer. */
  send(verb: NegotiationVerb, opt: number): void;
  /** May we enable `opt` on our side because the peer asked (DO)? */
  acceptLocal(opt: number): boolean;
  /** May the peer enable `opt` on its side (WILL)? */
  acceptRemote(opt: number): boolean;
  /** An option side became enabled or disabled (called after any reply is sent). */
  changed(side: Side, opt: number, enabled: boolean): void;
  /** The peer refused an option we asked for (WONT to our DO, DONT to our WILL). */
  refused?(side: Side, opt: number): void;
}

// Bit flags in `flags[]`.
const LOCAL_QUEUED = 1; // RFC 1143 "us" queue bit = OPPOSITE
const REMOTE_QUEUED = 2; // "him" queue bit = OPPOSITE
const LOCAL_REFUSED = 4; // we already refused a DO for this option
const REMOTE_REFUSED = 8; // we already refused a WILL for this option
const LOCAL_FORCED = 16; // forceLocal(opt, true) is in effect: a DO is agreed to

export class OptionNegotiator {
  private readonly us = new Uint8Array(256);
  private readonly him = new Uint8Array(256);
  private readonly flags = new Uint8Array(256);

  constructor(private readonly policy: NegotiationPolicy) {}

  localState(opt: number): QState {
    return this.us[opt & 255] as QState;
  }
  remoteState(opt: number): QState {
    return this.him[opt & 255] as QState;
  }
  /** We perform the option (peer agreed to our WILL or asked with DO). */
  isLocal(opt: number): boolean {
    return this.us[opt & 255] === Q.YES;
  }
  /** The peer performs the option. */
  isRemote(opt: number): boolean {
    return this.him[opt & 255] === Q.YES;
  }

  /** Handle a received `IAC <verb> <opt>`. */
  receive(verb: NegotiationVerb, opt: number): void {
    opt &= 255;
    if (verb === DO || verb === DONT) {
      this.receiveSide('local', verb === DO, opt);
    } else {
      this.receiveSide('remote', verb === WILL, opt);
    }
  }

  /** We want to enable (WILL) or disable (WONT) an option on our side. */
  requestLocal(opt: number, enable: boolean): void {
    this.request('local', opt & 255, enable);
  }

  /** We want the peer to enable (DO) or disable (DONT) an option. */
  requestRemote(opt: number, enable: boolean): void {
    this.request('remote', opt & 255, enable);
  }

  /**
   * Announce a local state without waiting for agreement, for ECHO: some
   * clients (tintin++) never answer WILL/WONT ECHO yet obey it, so the usual
   * queue rules would leave echoOn() unsent after an unanswered echoOff().
   * Sends WILL/WONT unless that is already our settled or pending state.
   */
  forceLocal(opt: number, enable: boolean): void {
    opt &= 255;
    const s = this.us[opt]!;
    this.flags[opt]! &= ~LOCAL_QUEUED;
    // Remember the wish: after WONT+WILL sent back to back, a client that
    // answers both (Debian's telnet) sends DONT, which takes us to NO, then
    // DO, which must be agreed to, not refused (that refusal turned the
    // client's local echo back on at "Confirm password:").
    if (enable) this.flags[opt]! |= LOCAL_FORCED;
    else this.flags[opt]! &= ~LOCAL_FORCED;
    if (enable) {
      if (s === Q.YES || s === Q.WANTYES) return;
      this.us[opt] = Q.WANTYES;
      this.policy.send(WILL, opt);
    } else {
      if (s === Q.NO || s === Q.WANTNO) return;
      const wasOn = s === Q.YES;
      this.us[opt] = Q.WANTNO;
      this.policy.send(WONT, opt);
      if (wasOn) this.policy.changed('local', opt, false);
    }
  }

  private receiveSide(side: Side, positive: boolean, opt: number): void {
    const states = side === 'local' ? this.us : this.him;
    const qbit = side === 'local' ? LOCAL_QUEUED : REMOTE_QUEUED;
    const refusedBit = side === 'local' ? LOCAL_REFUSED : REMOTE_REFUSED;
    const yes: NegotiationVerb = side === 'local' ? WILL : DO;
    const no: NegotiationVerb = side === 'local' ? WONT : DONT;
    const queued = (this.flags[opt]! & qbit) !== 0;
    const s = states[opt]!;

    if (positive) {
      // Received DO (local) / WILL (remote).
      switch (s) {
        case Q.NO: {
          const accept =
            side === 'local' ? this.policy.acceptLocal(opt) || (this.flags[opt]! & LOCAL_FORCED) !== 0 : this.policy.acceptRemote(opt);
          if (accept) {
            states[opt] = Q.YES;
            this.policy.send(yes, opt);
            this.policy.changed(side, opt, true);
          } else if (!(this.flags[opt]! & refusedBit)) {
            this.flags[opt]! |= refusedBit;
            this.policy.send(no, opt);
          }
          return;
        }
        case Q.YES:
          return; // Already enabled: no reply (this is what stops loops).
        case Q.WANTNO:
          if (queued) {
            states[opt] = Q.YES;
            this.flags[opt]! &= ~qbit;
            this.policy.changed(side, opt, true);
          } else {
            // Peer answered our WONT/DONT with DO/WILL: RFC 1143 error case.
            states[opt] = Q.NO;
          }
          return;
        case Q.WANTYES:
          if (queued) {
            // We changed our mind meanwhile: disable again.
            states[opt] = Q.WANTNO;
            this.flags[opt]! &= ~qbit;
            this.policy.send(no, opt);
          } else {
            states[opt] = Q.YES;
            this.policy.changed(side, opt, true);
          }
          return;
      }
    } else {
      // Received DONT (local) / WONT (remote).
      switch (s) {
        case Q.NO:
          return;
        case Q.YES:
          states[opt] = Q.NO;
          this.policy.send(no, opt);
          this.policy.changed(side, opt, false);
          return;
        case Q.WANTNO:
          if (queued) {
            states[opt] = Q.WANTYES;
            this.flags[opt]! &= ~qbit;
            this.policy.send(yes, opt);
          } else {
            states[opt] = Q.NO;
          }
          return;
        case Q.WANTYES:
          // Peer refused our offer (or refused and we had queued a disable).
          states[opt] = Q.NO;
          this.flags[opt]! &= ~qbit;
          this.policy.refused?.(side, opt);
          return;
      }
    }
  }

  private request(side: Side, opt: number, enable: boolean): void {
    const states = side === 'local' ? this.us : this.him;
    const qbit = side === 'local' ? LOCAL_QUEUED : REMOTE_QUEUED;
    const yes: NegotiationVerb = side === 'local' ? WILL : DO;
    const no: NegotiationVerb = side === 'local' ? WONT : DONT;
    const queued = (this.flags[opt]! & qbit) !== 0;
    const s = states[opt]!;
    if (enable) {
      if (s === Q.NO) {
        states[opt] = Q.WANTYES;
        this.policy.send(yes, opt);
      } else if (s === Q.WANTNO && !queued) {
        this.flags[opt]! |= qbit;
      } else if (s === Q.WANTYES && queued) {
        this.flags[opt]! &= ~qbit;
      }
      // YES, or already pending: nothing to do.
    } else {
      if (s === Q.YES) {
        states[opt] = Q.WANTNO;
        this.policy.send(no, opt);
        this.policy.changed(side, opt, false);
      } else if (s === Q.WANTYES && !queued) {
        this.flags[opt]! |= qbit;
      } else if (s === Q.WANTNO && queued) {
        this.flags[opt]! &= ~qbit;
      }
    }
  }
}
