export declare function electronSqliteBinding(electronVersion: string): string | null;
