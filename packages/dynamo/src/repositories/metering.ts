// Access patterns of the metering service.
export {};
