/**
 * The channel registry: adding a channel is one file in this folder plus one line here.
 */
import type { ChannelName } from '../core/message.js';
import type { ChannelAdapter } from './channel.js';
import { httpChannel } from './http.js';
import { slackAdapter } from './slack.js';
import { telegramAdapter } from './telegram.js';

export const channelAdapters: Partial<Record<ChannelName, ChannelAdapter>> = {
  http: httpChannel,
  telegram: telegramAdapter,
  slack: slackAdapter,
};
