export declare function registerPeftTrainingMethods(): void;
