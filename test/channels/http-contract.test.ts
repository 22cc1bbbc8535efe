import { channelContract, createHttpDriver } from './channel.contract.js';

channelContract(() => createHttpDriver());
