import { ArrowRtcReceiver, ArrowRtcSender, FlightReceiver, FlightSender } from '../transport/paths/arrow-paths';
import { ControlPathReceiver, ControlPathSender } from '../transport/paths/control-path';
import { DataChannelFrames } from '../transport/paths/data-channel-frames';
import { SealKeyAgreement } from '../transport/paths/seal-keys';
import type { PathPlugin } from './transfers';

/** The pre-negotiated SCTP stream id of the arrow-rtc channel; both sides open it with this id. */
export const ARROW_CHANNEL_ID = 1000;

/** The baseline ("webrtc"): protobuf chunks on the control channel. */
export const controlPath: PathPlugin = {
  name: 'webrtc',
  attach: ({ channel }) => ({ sender: new ControlPathSender(channel), receiver: new ControlPathReceiver(channel) }),
};

/** Arrow record batches on their own DataChannel, peer to peer. */
export const arrowRtcPath: PathPlugin = {
  name: 'arrow-rtc',
  attach: ({ link }) => {
    const frames = new DataChannelFrames(link.openDataChannel('duet-arrow', ARROW_CHANNEL_ID));
    return { sender: new ArrowRtcSender(frames), receiver: new ArrowRtcReceiver(frames), raw: () => Promise.resolve(frames) };
  },
};

/** Arrow record batches through the hub's Flight relay, sealed end to end. */
export const arrowFlightPath: PathPlugin = {
  name: 'arrow-flight',
  attach: ({ channel, session }) => {
    const keys = new SealKeyAgreement(channel);
    const client = () => session.flightClient();
    return { sender: new FlightSender(client, keys), receiver: new FlightReceiver(client, keys), raw: client };
  },
};

export const ALL_PATHS: readonly PathPlugin[] = [controlPath, arrowRtcPath, arrowFlightPath];
