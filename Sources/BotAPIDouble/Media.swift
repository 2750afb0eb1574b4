// Media: what users send (injected), how it looks in JSON, which file ids the double accepts,
// and sendPhoto / sendDocument.

extension BotAPIDouble {
    /// The media of an injected message. The double renders each as the real Bot API does (see
    /// `injectMessage`) and remembers it, so that the bot can copy it or send its file id again.
    public enum Media: Sendable, Equatable {
        /// A photo: three PhotoSize entries (90×67, 320×240, 1280×960), the largest with this file id;
        /// the smaller ones get derived ids (`fileID + "-s"`, `fileID + "-m"`) that are accepted too.
        case photo(fileID: String)
        /// A document with its file name (the MIME type follows the extension).
        case document(fileID: String, fileName: String)
        /// A voice note (3 s, audio/ogg).
        case voice(fileID: String)
        /// A video (5 s, 1280×720, video/mp4).
        case video(fileID: String)
        /// A round video note (4 s, 240 px).
        case videoNote(fileID: String)
        /// A regular 512×512 sticker with its emoji.
        case sticker(fileID: String, emoji: String)
        /// A location (no live period).
        case location(latitude: Double, longitude: Double)
        /// A shared contact.
        case contact(phoneNumber: String, firstName: String)

        /// The kind a message with this media is recorded as in `SentMessage`.
        public var kind: SentMessage.Kind {
            switch self {
            case .photo: .photo
            case .document: .document
            case .voice: .voice
            case .video: .video
            case .videoNote: .videoNote
            case .sticker: .sticker
            case .location: .location
            case .contact: .contact
            }
        }

        /// The file id (the largest size of a photo); nil for a location or a contact.
        public var fileID: String? {
            switch self {
            case .photo(let id), .document(let id, _), .voice(let id), .video(let id), .videoNote(let id), .sticker(let id, _):
                id
            case .location, .contact:
                nil
            }
        }

        /// Whether the Bot API shows a caption with this media (video notes, stickers, locations and
        /// contacts have none).
        var allowsCaption: Bool {
            switch self {
            case .photo, .document, .voice, .video: true
            case .videoNote, .sticker, .location, .contact: false
            }
        }

        var fileType: FileType? {
            switch self {
            case .photo: .photo
            case .document: .document
            case .voice: .voiceNote
            case .video: .video
            case .videoNote: .videoNote
            case .sticker: .sticker
            case .location, .contact: nil
            }
        }
    }

    /// `"photo":[…]`, `"document":{…}`, … : the media's key and value as in a real Message.
    func mediaJSON(_ media: Media) -> String {
        func file(_ id: String, size: Int) -> String {
            var json = "\"file_id\":"
            appendJSONString(id, to: &json)
            json += ",\"file_unique_id\":"
            appendJSONString(fileUniqueID(id), to: &json)
            return json + ",\"file_size\":\(size)"
        }
        switch media {
        case .photo(let id):
            let sizes = photoSizes(id).map { "{" + file($0.id, size: $0.bytes) + ",\"width\":\($0.width),\"height\":\($0.height)}" }
            return "\"photo\":[" + sizes.joined(separator: ",") + "]"
        case .document(let id, let name):
            var json = "\"document\":{\"file_name\":"
            appendJSONString(name, to: &json)
            json += ",\"mime_type\":"
            appendJSONString(mimeType(fileName: name), to: &json)
            return json + "," + file(id, size: 48_213) + "}"
        case .voice(let id):
            return "\"voice\":{\"duration\":3,\"mime_type\":\"audio/ogg\"," + file(id, size: 9_745) + "}"
        case .video(let id):
            return "\"video\":{\"duration\":5,\"width\":1280,\"height\":720,\"mime_type\":\"video/mp4\"," + file(id, size: 1_048_576) + "}"
        case .videoNote(let id):
            return "\"video_note\":{\"duration\":4,\"length\":240," + file(id, size: 301_572) + "}"
        case .sticker(let id, let emoji):
            var json = "\"sticker\":{\"width\":512,\"height\":512,\"emoji\":"
            appendJSONString(emoji, to: &json)
            return json + ",\"is_animated\":false,\"is_video\":false,\"type\":\"regular\"," + file(id, size: 23_476) + "}"
        case .location(let latitude, let longitude):
            return "\"location\":{\"latitude\":\(latitude),\"longitude\":\(longitude)}"
        case .contact(let phone, let firstName):
            var json = "\"contact\":{\"phone_number\":"
            appendJSONString(phone, to: &json)
            json += ",\"first_name\":"
            appendJSONString(firstName, to: &json)
            return json + "}"
        }
    }

    /// The sizes of a photo, smallest first; the last has `fileID` itself.
    func photoSizes(_ fileID: String) -> [(id: String, width: Int, height: Int, bytes: Int)] {
        [(fileID + "-s", 90, 67, 1_503), (fileID + "-m", 320, 240, 21_876), (fileID, 1280, 960, 131_204)]
    }

    /// A stable stand-in for Telegram's file_unique_id ("AQAD" + a hash of the file id).
    func fileUniqueID(_ fileID: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in fileID.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var text = "AQAD"
        for _ in 0..<11 {
            text.append(alphabet[Int(hash & 63)])
            hash >>= 6
        }
        return text
    }

    func mimeType(fileName: String) -> String {
        let dot = fileName.lastIndex(of: ".")
        let ext = dot.map { fileName[fileName.index(after: $0)...].lowercased() } ?? ""
        switch ext {
        case "pdf": return "application/pdf"
        case "jpg", "jpeg": return "image/jpeg"
        case "png": return "image/png"
        case "txt": return "text/plain"
        case "csv": return "text/csv"
        case "zip": return "application/zip"
        case "doc": return "application/msword"
        case "docx": return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case "xls": return "application/vnd.ms-excel"
        case "xlsx": return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case "mp4": return "video/mp4"
        case "ogg": return "audio/ogg"
        default: return "application/octet-stream"
        }
    }

    /// Remembers the file ids `media` shows (every size of a photo). Call with the lock held.
    func registerFilesLocked(_ media: Media) {
        guard let type = media.fileType, let id = media.fileID else { return }
        if case .photo = media {
            for size in photoSizes(id) { state.knownFiles[size.id] = .photo }
        } else {
            if case .document(_, let name) = media { state.documentNames[id] = name }
            state.knownFiles[id] = type
        }
    }

    /// The type of the file `fileID` names, as a send of a `wanted` file sees it: a file id the double
    /// has shown, a file id with the prefix Telegram gives that type ("AgAC" photo, "BQAC" document,
    /// "AwAC" voice, "BAAC" video, "DQAC" video note, "CAAC" sticker, "CQAC" audio, "CgAC" animation),
    /// or an http(s) URL (taken as the wanted type). Anything else is 400 "wrong file
    /// identifier/HTTP URL specified"; a photo as a document or the other way round is TDLib's
    /// "can't use file of type Photo as Document". Uploads (multipart files) are not modelled.
    func resolveFileLocked(_ fileID: String, as wanted: FileType) -> Result<FileType, APIError> {
        let lower = fileID.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") { return .success(wanted) }
        let prefixes: [(String, FileType)] = [
            ("AgAC", .photo), ("BQAC", .document), ("AwAC", .voiceNote), ("BAAC", .video), ("DQAC", .videoNote),
            ("CAAC", .sticker), ("CQAC", .audio), ("CgAC", .animation),
        ]
        guard let type = state.knownFiles[fileID] ?? prefixes.first(where: { fileID.hasPrefix($0.0) })?.1 else {
            return .failure(.badRequest("wrong file identifier/HTTP URL specified"))
        }
        if type.isPhoto != wanted.isPhoto {
            return .failure(.badRequest("can't use file of type \(type.rawValue) as \(wanted.rawValue)"))
        }
        return .success(type)
    }

    // MARK: - sendPhoto, sendDocument

    func sendPhoto(_ parameters: [String: String]) -> HTTPResponse {
        sendMedia("sendphoto", parameters, field: "photo", wanted: .photo)
    }

    func sendDocument(_ parameters: [String: String]) -> HTTPResponse {
        sendMedia("senddocument", parameters, field: "document", wanted: .document)
    }

    /// sendPhoto / sendDocument with a file id or URL: checks in the server's order (file parameter,
    /// caption, keyboard, chat), then under the lock blocked, thread, reply, file id, caption length,
    /// closed topic, flood control.
    private func sendMedia(_ method: String, _ parameters: [String: String], field: String, wanted: FileType) -> HTTPResponse {
        let caption: PreparedCaption?, markup: PreparedMarkup?, chat: Int64, reply: ReplyRequest
        do throws(APIError) {
            guard let file = parameters[field], !file.isEmpty else { throw APIError.badRequest("there is no \(field) in the request") }
            caption = try prepareCaption(parameters).get()
            markup = try prepareMarkup(parameters["reply_markup"]).get()
            chat = try chatID(parameters).get()
            reply = try replyRequest(parameters).get()
        } catch {
            return respond(method, parameters, error.response)
        }
        let fileID = parameters[field] ?? ""
        let thread = requestedThread(parameters)
        let date = unixTime()

        return lock.withLock {
            func fail(_ error: APIError) -> HTTPResponse { failLocked(method, parameters, error) }
            let placement: Placement
            switch placeLocked(chat: chat, thread: thread, reply: reply) {
            case .success(let value): placement = value
            case .failure(let error): return fail(error)
            }
            if case .failure(let error) = resolveFileLocked(fileID, as: wanted) { return fail(error) }
            if let caption, caption.codePoints > Self.captionLimit { return fail(.badRequest("message caption is too long")) }
            if let error = topicClosedLocked(chat: chat, thread: placement.threadID) { return fail(error) }
            if let refused = floodControlLocked(method, parameters, chat: chat) { return refused }

            let media: Media = wanted == .photo ? .photo(fileID: fileID) : .document(fileID: fileID, fileName: documentName(fileID))
            registerFilesLocked(media)
            let stored = StoredMessage(
                text: caption?.formatted.text ?? "", entities: caption?.formatted.entities ?? [], markupJSON: markup?.json,
                date: date, editDate: nil, linkPreviewDisabled: false, media: media, threadID: placement.threadID,
                replyTo: placement.replyTo)
            let messageID = storeBotMessageLocked(chat: chat, stored)
            addSentLocked(SentMessage(
                messageID: messageID, chatID: chat, text: "", parseMode: caption?.parseMode, replyMarkupJSON: markup?.json,
                callbackData: markup?.callbackData ?? [], replyToMessageID: reply.messageID, disableLinkPreview: false,
                isEdit: false, threadID: placement.threadID, kind: media.kind, fileID: fileID, caption: caption?.raw))
            let response = HTTPResponse.ok(messageJSONLocked(chat: chat, id: messageID, stored))
            recordLocked(method, parameters, response.status)
            return response
        }
    }

    /// The file name a document sent by file id shows: the injected document's name when the double
    /// knows it, the last path component of a URL, else "document". Call with the lock held.
    private func documentName(_ fileID: String) -> String {
        if let name = state.documentNames[fileID] { return name }
        let lower = fileID.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://"),
           let last = fileID.split(separator: "/").last, !last.isEmpty, !last.contains(":") {
            let name = last.prefix { $0 != "?" && $0 != "#" }
            if !name.isEmpty { return String(name) }
        }
        return "document"
    }
}

/// A file's type as TDLib names it in "can't use file of type … as …".
enum FileType: String {
    case photo = "Photo"
    case document = "Document"
    case voiceNote = "VoiceNote"
    case video = "Video"
    case videoNote = "VideoNote"
    case sticker = "Sticker"
    case audio = "Audio"
    case animation = "Animation"

    /// Photos and the document class (everything else) cannot stand in for each other.
    var isPhoto: Bool { self == .photo }
}
