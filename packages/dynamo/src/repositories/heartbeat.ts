// Access patterns of the heartbeat service.
export {};
