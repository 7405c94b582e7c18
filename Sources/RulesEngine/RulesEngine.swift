import LuaKit
import PostingModel
