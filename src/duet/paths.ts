import { ControlPathReceiver, ControlPathSender } from '../transport/paths/control-path';
import type { PathPlugin } from './transfers';

/** The baseline: protobuf chunks on the control channel. */
export const controlPath: PathPlugin = {
  name: 'webrtc',
  attach: ({ channel }) => ({ sender: new ControlPathSender(channel), receiver: new ControlPathReceiver(channel) }),
};
