// The JSON library is part of the domain vocabulary: every module that imports
// PostingModel reads and writes JSON values.
@_exported import JSON
