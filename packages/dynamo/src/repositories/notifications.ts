// Access patterns of the notifications service.
export {};
