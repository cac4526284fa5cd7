// Access patterns of the plug-events service.
export {};
