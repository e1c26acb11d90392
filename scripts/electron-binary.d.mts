export declare const electronPackageDir: string;
export declare function findElectronBinary(): string | null;
